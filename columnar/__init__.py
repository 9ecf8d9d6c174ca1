"""The columnar engine: campaigns run set-wise over the store, in SQL (issue 18)."""
