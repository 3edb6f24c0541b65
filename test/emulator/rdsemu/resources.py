"""The emulated RDS resources and how each one looks in a reply.

Every resource keeps its own fields; to_model(now, ...) returns the dict
in the model's shape (DBInstance, DBSnapshot, ...).  Timed behaviour
(creating -> available, PercentProgress, export phases) lives in tick(),
which the store calls with the emulated time before every request.
"""
import datetime
import functools

PARTITION = "aws"


def arn(region, account, kind, ident):
    return "arn:%s:rds:%s:%s:%s:%s" % (PARTITION, region, account, kind, ident)


def seconds_between(a, b):
    return (b - a).total_seconds()


def tag_list(tags):
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]


def merge_tags(existing, new):
    """AddTagsToResource semantics: same key replaces the value."""
    out = [dict(t) for t in existing]
    for tag in new:
        for old in out:
            if old["Key"] == tag["Key"]:
                old["Value"] = tag.get("Value", "")
                break
        else:
            out.append({"Key": tag["Key"], "Value": tag.get("Value", "")})
    return out


class Timed:
    """A transition: status `during` until start+seconds, then `final`."""

    def __init__(self, start, seconds, final, on_done=None):
        self.start = start
        self.seconds = max(0.0, float(seconds))
        self.final = final
        self.on_done = on_done
        self.end_at = start + datetime.timedelta(seconds=self.seconds)

    def end(self):
        return self.end_at

    def fraction(self, now):
        if self.seconds <= 0:
            return 1.0
        return min(1.0, max(0.0, seconds_between(self.start, now) / self.seconds))

    def due(self, now):
        return now >= self.end_at


class Resource:
    kind = "resource"
    # Store.tick calls tick() only when the timer is due, or always when this
    # is True (resources whose phases follow their own clock, as exports).
    always_tick = False

    def __init__(self, ident, account, region):
        self.id = ident
        self.account = account
        self.region = region
        self.tags = []
        self.status = "available"
        self.timed = None
        self.forced = False       # status set through the control API: timers keep off
        self.visible_at = None    # eventual consistency: Describe* shows it from then on

    @functools.cached_property
    def arn(self):
        return arn(self.region, self.account, self.kind, self.id)

    def begin(self, status, now, seconds, final, on_done=None):
        self.status = status
        self.forced = False
        self.timed = Timed(now, seconds, final, on_done)

    def force_status(self, status, now):
        """The control API's status: it stays until an action or a new force
        changes it; no timer of the emulator moves the resource out of it."""
        self.timed = None
        self.forced = True
        self.status = status

    def visible(self, now):
        return self.visible_at is None or now >= self.visible_at

    def tick(self, now, region):
        """Finish a due transition; return True when something changed."""
        if self.timed is not None and self.timed.due(now):
            timed, self.timed = self.timed, None
            self.status = timed.final
            if timed.on_done:
                timed.on_done(self, now, region)
            return True
        return False


# ---------------------------------------------------------------------------
# DB instances


class DBInstance(Resource):
    kind = "db"

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region)
        self.engine = f.get("engine", "postgres")
        self.engine_version = f.get("engine_version", default_version(self.engine))
        self.instance_class = f.get("instance_class", "db.t3.micro")
        self.status = f.get("status", "available")
        self.allocated_storage = int(f.get("allocated_storage",
                                           1 if is_aurora(self.engine) else 20))
        self.storage_type = f.get("storage_type", "aurora" if is_aurora(self.engine) else "gp3")
        self.backup_retention = int(f.get("backup_retention", 7))
        self.backup_window = f.get("backup_window", "03:00-03:30")
        self.maintenance_window = f.get("maintenance_window", "sun:05:00-sun:05:30")
        self.deletion_protection = bool(f.get("deletion_protection", False))
        self.encrypted = bool(f.get("encrypted", False))
        self.kms_key_id = f.get("kms_key_id") or (
            default_kms_key(region, account) if self.encrypted else None)
        self.create_time = f["create_time"]
        self.backups_since = f.get("backups_since") or self.create_time
        self.cluster_id = f.get("cluster_id")
        self.dbi_resource_id = f["dbi_resource_id"]
        self.port = int(f.get("port", 5432))
        self.master_username = f.get("master_username", "postgres")
        self.db_name = f.get("db_name")
        self.multi_az = bool(f.get("multi_az", False))
        self.az = f.get("availability_zone", region + "a")
        self.copy_tags_to_snapshot = bool(f.get("copy_tags_to_snapshot", False))
        self.iam_auth = bool(f.get("iam_auth", False))
        self.publicly_accessible = bool(f.get("publicly_accessible", False))
        self.promotion_tier = int(f.get("promotion_tier", 1))
        self.pending = {}
        self.replications = []      # DBInstanceAutomatedBackupsArn in other regions
        self.tags = tag_list(f.get("tags", []))

    def latest_restorable(self, now, lag):
        if self.backup_retention <= 0 or self.status in ("creating", "deleting"):
            return None
        latest = now - datetime.timedelta(seconds=lag)
        return latest if latest >= self.backups_since else None

    def earliest_restorable(self, now):
        if self.backup_retention <= 0:
            return None
        return max(self.backups_since, now - datetime.timedelta(days=self.backup_retention))

    def endpoint(self):
        return {"Address": "%s.cemulator0000.%s.rds.amazonaws.com" % (self.id, self.region),
                "Port": self.port, "HostedZoneId": "Z2R2ITUGPM61AM"}

    def to_model(self, now, lag):
        aurora = is_aurora(self.engine)
        m = {
            "DBInstanceIdentifier": self.id,
            "DBInstanceClass": self.instance_class,
            "Engine": self.engine,
            "DBInstanceStatus": self.status,
            "MasterUsername": self.master_username,
            "DBName": self.db_name,
            "AllocatedStorage": self.allocated_storage,
            "InstanceCreateTime": self.create_time,
            "PreferredBackupWindow": self.backup_window,
            "BackupRetentionPeriod": self.backup_retention,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0emulator00000001",
                                   "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": "default.%s%s" % (
                self.engine, self.engine_version.split(".")[0]),
                "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": self.az,
            "DBSubnetGroup": {"DBSubnetGroupName": "default",
                              "DBSubnetGroupDescription": "default",
                              "VpcId": "vpc-0emulator0000001",
                              "SubnetGroupStatus": "Complete", "Subnets": []},
            "PreferredMaintenanceWindow": self.maintenance_window,
            "PendingModifiedValues": dict(self.pending),
            "LatestRestorableTime": self.latest_restorable(now, lag),
            "MultiAZ": self.multi_az,
            "EngineVersion": self.engine_version,
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": license_model(self.engine),
            "OptionGroupMemberships": [{"OptionGroupName": "default:%s-%s" % (
                self.engine, self.engine_version.split(".")[0]), "Status": "in-sync"}],
            "PubliclyAccessible": self.publicly_accessible,
            "StorageType": self.storage_type,
            "DbInstancePort": 0,
            "DBClusterIdentifier": self.cluster_id,
            "StorageEncrypted": self.encrypted,
            "KmsKeyId": self.kms_key_id,
            "DbiResourceId": self.dbi_resource_id,
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "DomainMemberships": [],
            "CopyTagsToSnapshot": self.copy_tags_to_snapshot,
            "MonitoringInterval": 0,
            "PromotionTier": self.promotion_tier if aurora else None,
            "DBInstanceArn": self.arn,
            "IAMDatabaseAuthenticationEnabled": self.iam_auth,
            "PerformanceInsightsEnabled": False,
            "DeletionProtection": self.deletion_protection,
            "AssociatedRoles": [],
            "TagList": tag_list(self.tags),
            "DBInstanceAutomatedBackupsReplications": [
                {"DBInstanceAutomatedBackupsArn": a} for a in self.replications],
            "CustomerOwnedIpEnabled": False,
            "BackupTarget": "region",
            "NetworkType": "IPV4",
        }
        if self.status not in ("creating",):
            m["Endpoint"] = self.endpoint()
        return m


# ---------------------------------------------------------------------------
# DB clusters (Aurora)


class DBCluster(Resource):
    kind = "cluster"

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region)
        self.engine = f.get("engine", "aurora-postgresql")
        self.engine_version = f.get("engine_version", default_version(self.engine))
        self.engine_mode = f.get("engine_mode", "provisioned")
        self.status = f.get("status", "available")
        self.backup_retention = int(f.get("backup_retention", 7))
        self.backup_window = f.get("backup_window", "03:00-03:30")
        self.maintenance_window = f.get("maintenance_window", "sun:05:00-sun:05:30")
        self.deletion_protection = bool(f.get("deletion_protection", False))
        self.encrypted = bool(f.get("encrypted", False))
        self.kms_key_id = f.get("kms_key_id") or (
            default_kms_key(region, account) if self.encrypted else None)
        self.create_time = f["create_time"]
        self.backups_since = f.get("backups_since") or self.create_time
        self.resource_id = f["resource_id"]
        self.port = int(f.get("port", 5432 if "postgres" in self.engine else 3306))
        self.master_username = f.get("master_username", "postgres")
        self.database_name = f.get("database_name")
        self.copy_tags_to_snapshot = bool(f.get("copy_tags_to_snapshot", False))
        self.iam_auth = bool(f.get("iam_auth", False))
        self.allocated_storage = int(f.get("allocated_storage", 1))
        self.writer = None
        self.tags = tag_list(f.get("tags", []))

    def latest_restorable(self, now, lag):
        if self.status in ("creating", "deleting"):
            return None
        latest = now - datetime.timedelta(seconds=lag)
        return latest if latest >= self.backups_since else None

    def earliest_restorable(self, now):
        return max(self.backups_since, now - datetime.timedelta(days=self.backup_retention))

    def members(self, region):
        out = []
        for inst in region.instances.values():
            if inst.cluster_id == self.id:
                out.append(inst)
        return out

    def to_model(self, now, lag, region):
        members = self.members(region)
        if self.writer not in [i.id for i in members]:
            self.writer = members[0].id if members else None
        host = "%s.cluster-cemulator0000.%s.rds.amazonaws.com" % (self.id, self.region)
        return {
            "AllocatedStorage": self.allocated_storage,
            "AvailabilityZones": [self.region + s for s in ("a", "b", "c")],
            "BackupRetentionPeriod": self.backup_retention,
            "DatabaseName": self.database_name,
            "DBClusterIdentifier": self.id,
            "DBClusterParameterGroup": "default.%s%s" % (
                self.engine, self.engine_version.split(".")[0]),
            "DBSubnetGroup": "default",
            "Status": self.status,
            "EarliestRestorableTime": self.earliest_restorable(now)
            if self.status not in ("creating",) else None,
            "Endpoint": host,
            "ReaderEndpoint": host.replace(".cluster-", ".cluster-ro-"),
            "MultiAZ": len(members) > 1,
            "Engine": self.engine,
            "EngineVersion": self.engine_version,
            "LatestRestorableTime": self.latest_restorable(now, lag),
            "Port": self.port,
            "MasterUsername": self.master_username,
            "PreferredBackupWindow": self.backup_window,
            "PreferredMaintenanceWindow": self.maintenance_window,
            "ReadReplicaIdentifiers": [],
            "DBClusterMembers": [{"DBInstanceIdentifier": i.id,
                                  "IsClusterWriter": i.id == self.writer,
                                  "DBClusterParameterGroupStatus": "in-sync",
                                  "PromotionTier": i.promotion_tier} for i in members],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0emulator00000001",
                                   "Status": "active"}],
            "HostedZoneId": "Z2R2ITUGPM61AM",
            "StorageEncrypted": self.encrypted,
            "KmsKeyId": self.kms_key_id,
            "DbClusterResourceId": self.resource_id,
            "DBClusterArn": self.arn,
            "AssociatedRoles": [],
            "IAMDatabaseAuthenticationEnabled": self.iam_auth,
            "ClusterCreateTime": self.create_time,
            "EngineMode": self.engine_mode,
            "DeletionProtection": self.deletion_protection,
            "HttpEndpointEnabled": False,
            "CopyTagsToSnapshot": self.copy_tags_to_snapshot,
            "CrossAccountClone": False,
            "DomainMemberships": [],
            "TagList": tag_list(self.tags),
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "IPV4",
        }


# ---------------------------------------------------------------------------
# Snapshots


class _Snapshot(Resource):
    """Common to DB snapshots and cluster snapshots."""

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region)
        self.snapshot_type = f.get("snapshot_type", "manual")
        self.status = f.get("status", "available")
        self.create_time = f["create_time"]
        self.engine = f["engine"]
        self.engine_version = f.get("engine_version", default_version(self.engine))
        self.allocated_storage = int(f.get("allocated_storage", 20))
        self.port = int(f.get("port", 5432))
        self.master_username = f.get("master_username", "postgres")
        self.encrypted = bool(f.get("encrypted", False))
        self.kms_key_id = f.get("kms_key_id") or (
            default_kms_key(region, account) if self.encrypted else None)
        self.iam_auth = bool(f.get("iam_auth", False))
        self.source_create_time = f.get("source_create_time")  # instance/cluster create time
        self.source_arn = f.get("source_arn")                  # for copies
        self.source_region = f.get("source_region")            # cross-region copies
        self.original_create_time = f.get("original_create_time") or self.create_time
        self.restore_accounts = list(f.get("restore_accounts", []))
        self.tags = tag_list(f.get("tags", []))
        self.extra = dict(f.get("extra", {}))     # source settings restores reuse

    def percent(self, now):
        if self.status == "available":
            return 100
        if self.timed is not None and self.status in ("creating", "copying"):
            return min(99, int(self.timed.fraction(now) * 100))
        return 0

    def start_creating(self, now, seconds, failure=None):
        """creating -> available, or -> failure's status (see Store.take_failure)."""
        self.begin("creating", now, seconds, failure["status"] if failure else "available")

    def attributes(self):
        return [{"AttributeName": "restore", "AttributeValues": list(self.restore_accounts)}]

    def shared_with(self, account, include_public=True):
        return account in self.restore_accounts or (
            include_public and "all" in self.restore_accounts)


class DBSnapshot(_Snapshot):
    kind = "snapshot"

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region, **f)
        self.instance_id = f["instance_id"]
        self.dbi_resource_id = f.get("dbi_resource_id")
        self.az = f.get("availability_zone", region + "a")
        self.storage_type = f.get("storage_type", "gp3")
        self.license_model = f.get("license_model", license_model(self.engine))

    def to_model(self, now, caller_account=None):
        shared = caller_account is not None and caller_account != self.account
        return {
            "DBSnapshotIdentifier": self.arn if shared else self.id,
            "DBInstanceIdentifier": self.instance_id,
            "SnapshotCreateTime": self.create_time,
            "Engine": self.engine,
            "AllocatedStorage": self.allocated_storage,
            "Status": self.status,
            "Port": self.port,
            "AvailabilityZone": self.az,
            "VpcId": "vpc-0emulator0000001",
            "InstanceCreateTime": self.source_create_time,
            "MasterUsername": self.master_username,
            "EngineVersion": self.engine_version,
            "LicenseModel": self.license_model,
            "SnapshotType": ("public" if "all" in self.restore_accounts else "shared")
            if shared else self.snapshot_type,
            "PercentProgress": self.percent(now),
            "SourceRegion": self.source_region,
            "SourceDBSnapshotIdentifier": self.source_arn,
            "StorageType": self.storage_type,
            "Encrypted": self.encrypted,
            "KmsKeyId": self.kms_key_id,
            "DBSnapshotArn": self.arn,
            "IAMDatabaseAuthenticationEnabled": self.iam_auth,
            "ProcessorFeatures": [],
            "DbiResourceId": self.dbi_resource_id,
            "TagList": [] if shared else tag_list(self.tags),
            "OriginalSnapshotCreateTime": self.original_create_time,
            "SnapshotTarget": "region",
        }


class DBClusterSnapshot(_Snapshot):
    kind = "cluster-snapshot"

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region, **f)
        self.cluster_id = f["cluster_id"]
        self.engine_mode = f.get("engine_mode", "provisioned")
        self.resource_id = f.get("resource_id")

    def to_model(self, now, caller_account=None):
        shared = caller_account is not None and caller_account != self.account
        return {
            "AvailabilityZones": [self.region + s for s in ("a", "b", "c")],
            "DBClusterSnapshotIdentifier": self.arn if shared else self.id,
            "DBClusterIdentifier": self.cluster_id,
            "SnapshotCreateTime": self.create_time,
            "Engine": self.engine,
            "EngineMode": self.engine_mode,
            "AllocatedStorage": self.allocated_storage,
            "Status": self.status,
            "Port": self.port,
            "VpcId": "vpc-0emulator0000001",
            "ClusterCreateTime": self.source_create_time,
            "MasterUsername": self.master_username,
            "EngineVersion": self.engine_version,
            "LicenseModel": license_model(self.engine),
            "SnapshotType": ("public" if "all" in self.restore_accounts else "shared")
            if shared else self.snapshot_type,
            "PercentProgress": self.percent(now),
            "StorageEncrypted": self.encrypted,
            "KmsKeyId": self.kms_key_id,
            "DBClusterSnapshotArn": self.arn,
            "SourceDBClusterSnapshotArn": self.source_arn,
            "IAMDatabaseAuthenticationEnabled": self.iam_auth,
            "TagList": [] if shared else tag_list(self.tags),
        }


# ---------------------------------------------------------------------------
# Export tasks


class ExportTask(Resource):
    kind = "export-task"
    always_tick = True
    FAILED_CAUSE = "The export failed (injected by the emulator)."

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region)
        self.source_arn = f["source_arn"]
        self.source_type = f.get("source_type", "SNAPSHOT")
        self.s3_bucket = f["s3_bucket"]
        self.s3_prefix = f.get("s3_prefix")
        self.iam_role_arn = f["iam_role_arn"]
        self.kms_key_id = f["kms_key_id"]
        self.export_only = f.get("export_only")
        self.snapshot_time = f.get("snapshot_time")
        self.start_time = f["start_time"]
        self.end_time = None
        self.size_gb = int(f.get("size_gb", 1))
        self.status = f.get("status", "STARTING")
        self.failure_cause = None
        self.failure = None        # {"status", "failure_cause"}: how it ends instead
        self.seconds = float(f.get("seconds", 30))
        self.starting_seconds = float(f.get("starting_seconds", 5))
        self.cancel_seconds = float(f.get("cancel_seconds", 5))
        self.cancel_at = None
        self._percent = 0          # progress frozen when canceled or failed

    def progress(self, now):
        if self.status == "COMPLETE":
            return 100
        if self.status == "STARTING":
            return 0
        if self.status != "IN_PROGRESS" or self.forced:
            return self._percent
        return self._fraction(now)

    def _fraction(self, now):
        run = self.seconds - self.starting_seconds
        if run <= 0:
            return 99
        done = seconds_between(self.start_time, now) - self.starting_seconds
        return max(0, min(99, int(100 * done / run)))

    def tick(self, now, region):
        if self.forced:
            return False
        elapsed = seconds_between(self.start_time, now)
        before = self.status
        if self.status == "CANCELING":
            if seconds_between(self.cancel_at, now) >= self.cancel_seconds:
                self.status = "CANCELED"
                self.end_time = now
        elif self.status == "STARTING" and elapsed >= self.starting_seconds:
            self.status = "IN_PROGRESS"
        if self.status == "IN_PROGRESS" and elapsed >= self.seconds:
            end = self.start_time + datetime.timedelta(seconds=self.seconds)
            if self.failure:
                self._end_as(self.failure["status"], end, self.failure.get("failure_cause"))
            else:
                self.status = "COMPLETE"
                self.end_time = end
        return before != self.status

    def _end_as(self, status, when, cause=None):
        """Any status but the running ones: progress freezes; an end time
        for the final statuses; FAILED always has a FailureCause."""
        self._percent = self.progress(when)
        self.status = status
        if status in ("COMPLETE", "FAILED", "CANCELED"):
            self.end_time = self.end_time or when
        else:
            self.end_time = None
        if status == "FAILED":
            self.failure_cause = cause or self.failure_cause or self.FAILED_CAUSE
        elif cause:
            self.failure_cause = cause

    def force_status(self, status, now, failure_cause=None):
        self._end_as(status, now, failure_cause)
        self.forced = True

    def cancel(self, now):
        self._percent = self.progress(now)
        self.status = "CANCELING"
        self.forced = False
        self.cancel_at = now

    def to_model(self, now):
        return {
            "ExportTaskIdentifier": self.id,
            "SourceArn": self.source_arn,
            "ExportOnly": self.export_only,
            "SnapshotTime": self.snapshot_time,
            "TaskStartTime": self.start_time,
            "TaskEndTime": self.end_time,
            "S3Bucket": self.s3_bucket,
            "S3Prefix": self.s3_prefix,
            "IamRoleArn": self.iam_role_arn,
            "KmsKeyId": self.kms_key_id,
            "Status": self.status,
            "PercentProgress": self.progress(now),
            "TotalExtractedDataInGB": self.size_gb if self.status == "COMPLETE" else 0,
            "FailureCause": self.failure_cause,
            "SourceType": self.source_type,
        }


# ---------------------------------------------------------------------------
# Automated backups (retained after deletion, or replicated to this region)


class AutomatedBackup(Resource):
    kind = "auto-backup"

    def __init__(self, ident, account, region, **f):
        super().__init__(ident, account, region)
        self.status = f.get("status", "retained")
        self.source_region = f["source_region"]
        self.instance_arn = f["instance_arn"]
        self.instance_id = f["instance_id"]
        self.dbi_resource_id = f["dbi_resource_id"]
        self.engine = f["engine"]
        self.engine_version = f["engine_version"]
        self.allocated_storage = f["allocated_storage"]
        self.port = f["port"]
        self.master_username = f["master_username"]
        self.instance_create_time = f["instance_create_time"]
        self.encrypted = f["encrypted"]
        self.kms_key_id = f.get("kms_key_id")
        self.retention = int(f["retention"])
        self.earliest = f["earliest"]
        self.latest = f.get("latest")              # None: follows the clock
        self.instance_class = f.get("instance_class", "db.t3.micro")
        self.storage_type = f.get("storage_type", "gp3")

    def window(self, now, lag):
        latest = self.latest or now - datetime.timedelta(seconds=lag)
        earliest = max(self.earliest, latest - datetime.timedelta(days=self.retention))
        if self.status == "pending":
            return None, None
        return earliest, latest

    def to_model(self, now, lag):
        earliest, latest = self.window(now, lag)
        return backup_model(self, self.instance_arn, self.instance_id, self.dbi_resource_id,
                            self.source_region, self.status, earliest, latest,
                            self.retention, [])


def backup_model(src, instance_arn, instance_id, dbi_resource_id, region_name, status,
                 earliest, latest, retention, replications, backup_arn=None):
    window = {}
    if earliest is not None:
        window["EarliestTime"] = earliest
    if latest is not None:
        window["LatestTime"] = latest
    return {
        "DBInstanceArn": instance_arn,
        "DbiResourceId": dbi_resource_id,
        "Region": region_name,
        "DBInstanceIdentifier": instance_id,
        "RestoreWindow": window,
        "AllocatedStorage": src.allocated_storage,
        "Status": status,
        "Port": src.port,
        "AvailabilityZone": region_name + "a",
        "VpcId": "vpc-0emulator0000001",
        "InstanceCreateTime": getattr(src, "instance_create_time", None)
        or getattr(src, "create_time", None),
        "MasterUsername": src.master_username,
        "Engine": src.engine,
        "EngineVersion": src.engine_version,
        "LicenseModel": license_model(src.engine),
        "Encrypted": src.encrypted,
        "StorageType": src.storage_type,
        "KmsKeyId": src.kms_key_id,
        "IAMDatabaseAuthenticationEnabled": False,
        "BackupRetentionPeriod": retention,
        "DBInstanceAutomatedBackupsArn": backup_arn or src.arn,
        "DBInstanceAutomatedBackupsReplications": [
            {"DBInstanceAutomatedBackupsArn": a} for a in replications],
        "BackupTarget": "region",
    }


# ---------------------------------------------------------------------------
# Engine helpers


def is_aurora(engine):
    return engine.startswith("aurora")


def default_version(engine):
    return {"postgres": "15.4", "aurora-postgresql": "15.4", "mysql": "8.0.35",
            "aurora-mysql": "8.0.mysql_aurora.3.05.2", "mariadb": "10.11.6"}.get(engine, "1.0")


def license_model(engine):
    return "postgresql-license" if "postgres" in engine else "general-public-license"


DEFAULT_KMS_KEY = "key/00000000-0000-0000-0000-0000000aws00"


def default_kms_key(region, account):
    """Stands for the AWS managed key aws/rds, used when no KmsKeyId is given."""
    return "arn:aws:kms:%s:%s:%s" % (region, account, DEFAULT_KMS_KEY)


def is_default_kms_key(key):
    return bool(key) and key.endswith(DEFAULT_KMS_KEY)
