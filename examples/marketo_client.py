"""A Marketo integration, tested against `mkc serve` (docs/serve.md):

    mkc serve examples/api_requests.mkc --db state.duckdb &
    python examples/marketo_client.py

Against a real Marketo instance the same script runs with its own munchkin
id and credentials, and without the `mc.host` line.
"""

from marketorestpython.client import MarketoClient

mc = MarketoClient("123-ABC-456", client_id="my-client-id", client_secret="my-client-secret")
mc.host = "http://127.0.0.1:8787"  # mkc serve instead of https://123-ABC-456.mktorest.com

# A web-to-lead form: create (or update) the person...
(lead,) = mc.create_update_leads([{"email": "cy@example.com", "firstName": "Cy"}], lookupField="email")
# ...and request the trial campaign for them, with the trial's details as My Tokens.
(campaign,) = mc.get_multiple_campaigns(name="Trial Signup")
mc.request_campaign(campaign["id"], [lead["id"]], tokens={"my.days": "30", "my.product": "mkc Enterprise"})

# What Marketo logged: Send Email (6), Change Data Value (13), Change Score (22).
for activity in mc.get_lead_activities(["6", "13", "22"], sinceDatetime="2026-01-01", leadIds=str(lead["id"])):
    details = ", ".join(f"{a['name']}={a['value']}" for a in activity["attributes"] if not a["name"].startswith("mkc"))
    print(activity["activityDate"], activity["activityTypeId"], activity["primaryAttributeValue"], details)
