"""A batch campaign run spread over worker processes or a Ray cluster
(`mkc run FILE --campaign REF --db PATH --workers N | --ray [ADDRESS]`), with
the database and its log exactly as a run on one process leaves them.

- partition.py: which person goes to which partition (a stable hash of
  their `id`), and each partition's slice of the database, as Parquet;
- worker.py: one worker, running the reference interpreter over its slice
  in the run's global batches;
- columnar.py: the columnar engine in a worker instead (its people ranked
  among everyone), and the set-wise merge of its results;
- order.py: the order keys that place each worker's activities and waits in
  the single-process log's order;
- merge.py: the partitions' results merged into the database, batch by
  batch, in one transaction;
- run.py: the parent's side, and the local and Ray executors.

docs/scale.md tells how a run is partitioned and what it costs.
"""
