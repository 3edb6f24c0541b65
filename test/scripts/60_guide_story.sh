#!/usr/bin/env bash
# The backup guide's whole story, from SQL, end to end: an instance, a manual
# snapshot, a point-in-time restore to five minutes ago, a restore from the
# snapshot, an encrypted copy to another region, sharing with another
# account, a Parquet export to S3, and the cleanup; then the emulator's own
# state is checked.
. "$(dirname "$0")/assert.sh"

us_key=arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
eu_key=arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab
emu reset
emu config durations.snapshot=2 durations.restore=3 durations.copy=3 durations.export=4 \
	durations.export_starting=1 restore_lag_seconds=60
emu seed-instance orders-prod --encrypted --kms-key-id "$us_key" --retention 7 --allocated-storage 50
first_op=$(q "SELECT coalesce(max(id), 0) FROM rds_backup.operations")

state() {
	rb_emuctl state | /usr/bin/python3 -c "
import json, sys
s = json.load(sys.stdin)['regions']
def ids(region, table, key):
    return sorted(x[key] for x in s.get('123456789012/' + region, {}).get(table, []))
$1"
}

# 1. a manual snapshot before a risky change
is "$(q "SELECT status FROM rds_backup.rds_snapshot('orders-prod', 'orders-prod-pre-v2',
         tags => '{\"lifecycle\":\"pre-migration\"}', wait => true)")" "succeeded" "manual snapshot, waited for"

# 2. point-in-time restore to five minutes ago
is "$(q "SELECT status FROM rds_backup.rds_restore_pitr('orders-prod', 'orders-pitr',
         now() - interval '5 minutes', instance_class => 'db.t3.micro', wait => true)")" "succeeded" \
	"point-in-time restore to five minutes ago"
like "$(q "SELECT params->>'RestoreTime' FROM rds_backup.operations WHERE resource = 'orders-pitr'")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "the restore time was sent as UTC whole seconds"

# 3. restore from the snapshot
is "$(q "SELECT status FROM rds_backup.rds_restore_snapshot('orders-prod-pre-v2', 'orders-restored',
         'db.t3.micro', wait => true)")" "succeeded" "restore from the manual snapshot"

# 4. an encrypted copy in another region, with a key of that region
is "$(q "SELECT status FROM rds_backup.rds_copy_snapshot('orders-prod-pre-v2', 'orders-prod-pre-v2-dr',
         source_region => 'us-east-1', kms_key_id => '$eu_key', region => 'eu-west-1', wait => true)")" \
	"succeeded" "encrypted cross-region copy with a KMS key of the destination"
is "$(q "SELECT encrypted || ' ' || kms_key_id FROM rds_backup.rds_snapshots(region => 'eu-west-1')
         WHERE snapshot = 'orders-prod-pre-v2-dr'")" "true $eu_key" "the copy is in eu-west-1, encrypted with the eu-west-1 key"

# 5. shared with another account
is "$(q "SELECT rds_backup.rds_share_snapshot('orders-prod-pre-v2', ARRAY['210987654321'])")" \
	"{210987654321}" "shared with account 210987654321"

# 6. Parquet export to S3
arn=$(q "SELECT arn FROM rds_backup.rds_snapshots('orders-prod') WHERE snapshot = 'orders-prod-pre-v2'")
is "$(q "SELECT status FROM rds_backup.rds_export_snapshot('$arn', 'orders-exports',
         'arn:aws:iam::123456789012:role/rds-s3-export', '$us_key', s3_prefix => 'nightly',
         export_only => ARRAY['orders.public.invoices'], export_id => 'orders-pre-v2-export', wait => true)")" \
	"succeeded" "Parquet export to S3"
is "$(q "SELECT status || ' ' || s3_bucket || ' ' || array_to_string(export_only, ',')
         FROM rds_backup.rds_export_tasks('orders-pre-v2-export')")" "COMPLETE orders-exports orders.public.invoices" \
	"rds_export_tasks shows it complete"

# 7. cleanup: unshare, delete the snapshots; the restored instances go with the CLI
is "$(q "SELECT coalesce(array_length(rds_backup.rds_unshare_snapshot('orders-prod-pre-v2', ARRAY['210987654321']), 1), 0)")" \
	"0" "unshared"
is "$(q "SELECT status FROM rds_backup.rds_delete_snapshot('orders-prod-pre-v2-dr', region => 'eu-west-1', wait => true)")" \
	"succeeded" "the copy deleted"
is "$(q "SELECT status FROM rds_backup.rds_delete_snapshot('orders-prod-pre-v2', wait => true)")" "succeeded" \
	"the snapshot deleted"
for db in orders-pitr orders-restored; do
	AWS_ACCESS_KEY_ID=$RB_KEY_ID AWS_SECRET_ACCESS_KEY=$RB_SECRET AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null \
		AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
		aws --endpoint-url "$RB_EMU_URL" rds delete-db-instance --db-instance-identifier "$db" \
		--skip-final-snapshot >/dev/null
done

# the emulator's final state
is "$(state "print(len([i for i in ids('us-east-1', 'snapshots', 'DBSnapshotIdentifier') if not i.startswith('rds:')]))")" "0" \
	"no manual snapshot left in us-east-1"
is "$(state "print(len(ids('eu-west-1', 'snapshots', 'DBSnapshotIdentifier')))")" "0" "none left in eu-west-1"
is "$(state "print(' '.join(ids('us-east-1', 'export_tasks', 'ExportTaskIdentifier')))")" "orders-pre-v2-export" \
	"the export task is recorded"
sleep 6
is "$(state "print(' '.join(ids('us-east-1', 'instances', 'DBInstanceIdentifier')))")" "orders-prod" \
	"only the original instance is left"

# and the catalog tells the same story
is "$(q "SELECT string_agg(kind || ':' || status, ' ' ORDER BY id) FROM rds_backup.operations
         WHERE resource LIKE 'orders-%' AND id > $first_op")" \
	"snapshot:succeeded restore_pitr:succeeded restore_snapshot:succeeded copy_snapshot:succeeded export:succeeded delete_snapshot:succeeded delete_snapshot:succeeded" \
	"every operation recorded and succeeded"

done_testing
