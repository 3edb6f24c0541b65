-- rds_copy_snapshot(), rds_copy_cluster_snapshot(): same region, across
-- regions with the PreSignedUrl the AWS SDKs build, and from another account.
\set VERBOSITY terse
\! /usr/bin/python3 test/emulator/emuctl.py reset >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=2 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-instance orders-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-nightly --instance orders-prod --tag lifecycle=nightly --tag rds-backup:operation=7 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot secure-nightly --instance orders-prod --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/0bde5000-3333-4a5e-9c0a-0000000000a1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot orders-prod --instance orders-prod --type automated --create-time 2026-11-24T03:00:00Z --set id=rds:orders-prod-2026-11-24-03-00 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster aurora-prod --members 1 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-nightly --cluster aurora-prod >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-cluster-snapshot aurora-secure --cluster aurora-prod --encrypted --kms-key-id arn:aws:kms:us-east-1:123456789012:key/0bde5000-4444-4a5e-9c0a-0000000000a2 >/dev/null
-- another account (210987654321) shares two snapshots with ours
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot partner-snap --instance partner-db --account 210987654321 --shared-with 123456789012 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot partner-secure --instance partner-db --account 210987654321 --shared-with 123456789012 --encrypted --kms-key-id arn:aws:kms:us-east-1:210987654321:key/0bde5000-5555-4a5e-9c0a-0000000000a3 >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py seed-snapshot partner-private --instance partner-db --account 210987654321 >/dev/null

SELECT public.audit_mark() AS start_id \gset

-- same region: the operations row, in progress, tracked in this region
SELECT kind, region, resource, source, status, aws_status, resource_arn,
       request_id IS NOT NULL AS has_request_id, finished_at IS NULL AS unfinished,
       params
  FROM rds_backup.rds_copy_snapshot('orders-nightly', 'orders-keep',
                                    tags => '{"purpose": "keep"}');
-- one Describe of the source, then the copy (no PreSignedUrl within a region)
SELECT action, region, target, params ? 'PreSignedUrl' AS presigned, operation_id IS NOT NULL AS linked
  FROM public.my_calls(:start_id) ORDER BY id;
-- the copy carries the source's tags (copy_tags), the caller's, and the provenance tags
SELECT snapshot, snapshot_type,
       tags - 'rds-backup:operation' AS tags,
       (tags->>'rds-backup:operation')::bigint = (SELECT id FROM rds_backup.operations
                                                   WHERE resource = 'orders-keep') AS operation_tag_is_ours
  FROM rds_backup.rds_snapshots(snapshot_type => 'manual') WHERE snapshot = 'orders-keep';
-- copy_tags => false: only the caller's and rds_backup's tags
SELECT (rds_backup.rds_copy_snapshot('orders-nightly', 'orders-bare', copy_tags => false,
                                     wait => true)).status;
SELECT tags - 'rds-backup:operation' AS tags
  FROM rds_backup.rds_snapshots(snapshot_type => 'manual') WHERE snapshot = 'orders-bare';
-- wait => true returns the finished row; the first copy finishes when waited for by id
SELECT resource, status, aws_status, progress, finished_at IS NOT NULL AS finished
  FROM rds_backup.rds_copy_snapshot('orders-nightly', 'orders-waited', wait => true);
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'orders-keep'));
-- an automated snapshot ("rds:" names) can be kept as a manual one
SELECT source, status
  FROM rds_backup.rds_copy_snapshot('rds:orders-prod-2026-11-24-03-00', 'orders-prod-kept', wait => true);

-- across regions: the request goes to the destination (region) with a PreSignedUrl
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT kind, region, resource, source, status, params
  FROM rds_backup.rds_copy_snapshot('orders-nightly', 'orders-dr', source_region => 'us-east-1',
                                    region => 'eu-west-1');
SELECT action, region, params->>'SourceDBSnapshotIdentifier' AS source,
       params->>'PreSignedUrl' AS presigned_url, params ? 'SourceRegion' AS sends_source_region,
       params->>'Tags.Tag.3.Key' AS tag3, params->>'Tags.Tag.3.Value' AS tag3_value
  FROM public.my_calls(:mark_before) ORDER BY id;
-- what reached the emulator: a URL for the source region, as the SDKs make it,
-- which the emulator verified with botocore (else the copy would have been refused)
\! /usr/bin/python3 test/emulator/emuctl.py log --action CopyDBSnapshot --json | /usr/bin/python3 -c 'import json, sys, urllib.parse as u; e = json.load(sys.stdin)[-1]; p = e["params"]; url = p["PreSignedUrl"]; q = dict(u.parse_qsl(u.urlsplit(url).query)); print("arrived in", e["region"], "| url to the endpoint:", url.startswith("http://127.0.0.1:"), "| Action", q["Action"], "| DestinationRegion", q["DestinationRegion"], "| source", q["SourceDBSnapshotIdentifier"], "| scope", q["X-Amz-Credential"].split("/", 2)[2], "| expires", q["X-Amz-Expires"], "| tags signed:", q.get("Tags.Tag.1.Key"), "| SourceRegion sent:", "SourceRegion" in p)'
-- the copy exists in the destination only, and is tracked there
SELECT status, aws_status, progress
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'orders-dr'));
SELECT snapshot, status, tags->>'rds-backup:source-arn' AS source_arn
  FROM rds_backup.rds_snapshots(region => 'eu-west-1');
SELECT count(*) AS in_us_east_1 FROM rds_backup.rds_snapshots() WHERE snapshot = 'orders-dr';
-- an ARN naming another region is a cross-region copy by itself
SELECT region, source, (params->>'SourceRegion') AS source_region, status
  FROM rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:orders-nightly',
                                    'orders-dr-2', region => 'eu-west-1', wait => true);
-- and an identifier copied to its own region needs no source_region
SELECT region, source, status
  FROM rds_backup.rds_copy_snapshot('orders-dr', 'orders-dr-local', region => 'eu-west-1', wait => true);

-- encrypted sources: a cross-region copy needs a key of the destination, asked before copying
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
\set VERBOSITY default
SELECT rds_backup.rds_copy_snapshot('secure-nightly', 'secure-dr', source_region => 'us-east-1', region => 'eu-west-1');
\set VERBOSITY terse
SELECT string_agg(action, ', ' ORDER BY id) AS calls FROM public.my_calls(:mark_before);
SELECT count(*) AS rows_for_secure_dr FROM rds_backup.operations WHERE resource = 'secure-dr';
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('secure-nightly', 'secure-dr', source_region => 'us-east-1', kms_key_id => 'arn:aws:kms:us-east-1:123456789012:key/0bde5000-3333-4a5e-9c0a-0000000000a1', region => 'eu-west-1')$$);
SELECT kind, region, status, params->>'KmsKeyId' AS kms_key_id
  FROM rds_backup.rds_copy_snapshot('secure-nightly', 'secure-dr', source_region => 'us-east-1',
                                    kms_key_id => 'arn:aws:kms:eu-west-1:123456789012:key/eb0c0a5e-1111-4a5e-9c0a-0000000000e1',
                                    region => 'eu-west-1', wait => true);
SELECT snapshot, encrypted, kms_key_id FROM rds_backup.rds_snapshots(region => 'eu-west-1')
 WHERE snapshot = 'secure-dr';
-- within its region an encrypted snapshot copies without a key (same key)
SELECT status FROM rds_backup.rds_copy_snapshot('secure-nightly', 'secure-copy', wait => true);
SELECT encrypted, kms_key_id FROM rds_backup.rds_snapshots() WHERE snapshot = 'secure-copy';
-- a key the destination cannot use: AWS's KMSKeyNotAccessibleFault
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('secure-nightly', 'secure-dr-2', source_region => 'us-east-1', kms_key_id => '00000000-0000-0000-0000-000000000000', region => 'eu-west-1')$$);

-- from another account, by ARN (a snapshot it shares with us)
SELECT kind, source, status
  FROM rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:partner-snap',
                                    'partner-copy', wait => true);
SELECT snapshot, snapshot_type, tags->>'rds-backup:source-arn' AS source_arn
  FROM rds_backup.rds_snapshots() WHERE snapshot = 'partner-copy';
-- ... encrypted: needs our own key, even within the region
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:partner-secure', 'partner-secure-copy')$$);
SELECT status, params->>'KmsKeyId' AS kms_key_id
  FROM rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:partner-secure',
                                    'partner-secure-copy', kms_key_id => 'alias/backups', wait => true);
-- ... and across regions at once
SELECT region, status
  FROM rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:partner-snap',
                                    'partner-dr', region => 'eu-west-1', wait => true);
-- one it does not share with us is not found
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:210987654321:snapshot:partner-private', 'stolen')$$);

-- Aurora cluster snapshots, the same way
SELECT kind, region, resource, source, status
  FROM rds_backup.rds_copy_cluster_snapshot('aurora-nightly', 'aurora-keep', wait => true);
SELECT kind, region, source, status
  FROM rds_backup.rds_copy_cluster_snapshot('aurora-secure', 'aurora-dr', source_region => 'us-east-1',
                                            kms_key_id => 'arn:aws:kms:eu-west-1:123456789012:key/eb0c0a5e-2222-4a5e-9c0a-0000000000e2',
                                            region => 'eu-west-1');
SELECT status, aws_status
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'aurora-dr'));
\! /usr/bin/python3 test/emulator/emuctl.py log --action CopyDBClusterSnapshot --json | /usr/bin/python3 -c 'import json, sys, urllib.parse as u; e = json.load(sys.stdin)[-1]; q = dict(u.parse_qsl(u.urlsplit(e["params"]["PreSignedUrl"]).query)); print("arrived in", e["region"], "| Action", q["Action"], "| DestinationRegion", q["DestinationRegion"], "| scope", q["X-Amz-Credential"].split("/", 2)[2])'
-- the cluster snapshot copy exists in the destination only (as the emulator holds it)
\! /usr/bin/python3 test/emulator/emuctl.py state | /usr/bin/python3 -c 'import json, sys; st = json.load(sys.stdin)["regions"]; [print(r, s["DBClusterSnapshotIdentifier"], s["Status"], s["StorageEncrypted"], s["KmsKeyId"], [t["Value"] for t in s["TagList"] if t["Key"] == "rds-backup:source-arn"]) for r in sorted(st) for s in st[r]["cluster_snapshots"] if s["DBClusterSnapshotIdentifier"].startswith("aurora-dr")]'
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('aurora-secure', 'aurora-dr-2', region => 'eu-west-1', source_region => 'us-east-1')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('aurora-nightly', 'aurora-enc', kms_key_id => 'alias/backups')$$);

-- no PreSignedUrl value anywhere in the catalog
SELECT count(*) AS presigned_url_params,
       count(*) FILTER (WHERE params->>'PreSignedUrl' = '[redacted]') AS redacted
  FROM public.my_calls(:start_id) WHERE params ? 'PreSignedUrl';
SELECT count(*) AS leaks FROM public.my_calls(:start_id)
 WHERE params::text ~ 'X-Amz-Signature|X-Amz-Credential|DestinationRegion';
SELECT count(*) AS leaks FROM rds_backup.operations
 WHERE params::text ~ 'X-Amz-Signature|PreSignedUrl' OR error ~ 'X-Amz-Signature';

-- an AWS error that quotes a presigned URL keeps it out of the ERROR and the row
\! /usr/bin/python3 test/emulator/emuctl.py fault CopyDBSnapshot error --code InvalidParameterValue --message "The PreSignedUrl http://127.0.0.1/?Action=CopyDBSnapshot&X-Amz-Signature=0123abcd is not valid." >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'quoted-url', source_region => 'us-east-1', region => 'eu-west-1')$$);
SELECT status, error FROM rds_backup.operations WHERE resource = 'quoted-url';

-- AWS errors are ERRORs with AWS's code, and the row says so
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('no-such-snap', 'x-copy')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'orders-keep')$$);
SELECT status, error FROM rds_backup.operations WHERE kind = 'copy_snapshot' AND status = 'failed' ORDER BY id;
\! /usr/bin/python3 test/emulator/emuctl.py status snapshot orders-nightly creating >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'orders-early')$$);
\! /usr/bin/python3 test/emulator/emuctl.py status snapshot orders-nightly available >/dev/null
\! /usr/bin/python3 test/emulator/emuctl.py config snapshot_quota=5 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'one-too-many')$$);
\! /usr/bin/python3 test/emulator/emuctl.py config snapshot_quota=100 cross_region_copy_limit=0 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'too-many-in-flight', source_region => 'us-east-1', region => 'eu-west-1')$$);
\! /usr/bin/python3 test/emulator/emuctl.py config cross_region_copy_limit=5 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('no-such-cluster-snap', 'x-copy')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('aurora-nightly', 'aurora-keep')$$);

-- a copy that fails while waited for: ERROR, row failed
\! /usr/bin/python3 test/emulator/emuctl.py fail-next copy >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'doomed-dr', source_region => 'us-east-1', region => 'eu-west-1', wait => true)$$);
SELECT region, status, aws_status, error FROM rds_backup.operations WHERE resource = 'doomed-dr';
-- one that runs out of time: an ERROR for the caller; the operation stays tracked
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=60 >/dev/null
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('aurora-nightly', 'aurora-slow', wait => true, timeout => '1.5 s')$$);
SELECT status FROM rds_backup.operations WHERE resource = 'aurora-slow';
\! /usr/bin/python3 test/emulator/emuctl.py config durations.copy=2 >/dev/null
-- AWS finishes it later: the worker tracks it to its end
\! /usr/bin/python3 test/emulator/emuctl.py status cluster-snapshot aurora-slow available >/dev/null
SELECT status, aws_status
  FROM rds_backup.rds_wait((SELECT id FROM rds_backup.operations WHERE resource = 'aurora-slow'), '30 s');

-- bad input is refused before any AWS call
SELECT public.aws_calls() AS calls_before, public.audit_mark() AS mark_before \gset
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot(NULL, 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'bad--target')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('orders-nightly', 'rds:not-allowed')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('1-bad-source', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('rds:', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot', 'x')$$);
\set VERBOSITY default
SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:12345678901:snapshot:a', 'x');
\set VERBOSITY terse
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:12345678901x:snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:evil.invalid/:123456789012:snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:s3:us-east-1:123456789012:snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws-cn:rds:us-east-1:123456789012:snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:cn-north-1:123456789012:snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:a', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:a--b', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:a:b', 'x')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('arn:aws:rds:us-east-1:123456789012:snapshot:a', 'x', source_region => 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', source_region => 'EU-WEST-1')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', source_region => 'us-east-1', region => 'cn-north-1')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', kms_key_id => '')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', kms_key_id => 'alias/with space')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', kms_key_id => 'arn:aws:kms:us-east-1:123456789012:key/0bde5000-7777-4a5e-9c0a-0000000000a5', region => 'eu-west-1')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', kms_key_id => 'arn:aws:kms')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', copy_tags => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', tags => '["a"]')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', tags => '{"rds-backup:source-arn": "forged"}')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', tags => '{"rds-backup:operation": "1"}')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', tags => (SELECT jsonb_object_agg('k' || i, 'v') FROM generate_series(1, 48) i))$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', wait => NULL)$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', timeout => '0')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_snapshot('a', 'x', region => 'nowhere')$$);
SELECT public.try($$SELECT rds_backup.rds_copy_cluster_snapshot('a', 'x_y')$$);
SELECT public.aws_calls() - :calls_before AS aws_calls_made;

-- the operation summary of this file's copies, once the worker has settled them
SELECT public.settle(ARRAY['copy_snapshot', 'copy_cluster_snapshot']);
SELECT kind, status, operations FROM rds_backup.operation_summary
 WHERE kind LIKE 'copy%' ORDER BY 1, 2;
