"""RDS/STS/SNS/CloudWatch emulator for testing rds_backup.

Modules (one concern each):
  server       HTTP(S) server, keep-alive, transport faults on the wire
  app          the AWS request pipeline: parse, authenticate, route, fault,
               validate, run the action, serialize, log
  sigv4        request and presigned-URL signature verification (botocore)
  credentials  known key pairs and issued temporary credentials
  model        botocore service models; Query parameter decoding/validation
  xmlio        XML replies and errors serialized from the models
  errors       AwsError and the common Query-protocol errors
  clock        emulated time (jumps, speed) and AWS's wall clock
  config       tunables: durations, quotas, account
  state        the store: resources per (account, region), one lock
  resources    instances, clusters, snapshots, exports, automated backups
               and how each looks in a reply
  builders     resources made from other resources (snapshot of, copy of)
  actions/     one module per group of AWS actions
  faults       injected faults (throttling, 5xx, resets, delays, ...)
  reqlog       request log (secrets redacted) and per-action counts
  metadata     IMDSv2 and container credential endpoints
  seed         building resources from control-API JSON
  control      the /_emulator/ JSON control API
"""
