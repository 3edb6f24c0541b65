"""Building resources from other resources (snapshot of an instance,
instance restored from a snapshot, ...).  Used by the actions and by the
control API's seeding, so seeded and created resources look alike."""
from . import resources as R


def new_instance(store, region, ident, now, **f):
    f.setdefault("create_time", now)
    f.setdefault("dbi_resource_id", store.new_id("db-"))
    inst = R.DBInstance(ident, region.account, region.name, **f)
    region.instances[ident] = inst
    return inst


def new_cluster(store, region, ident, now, **f):
    f.setdefault("create_time", now)
    f.setdefault("resource_id", store.new_id("cluster-"))
    cluster = R.DBCluster(ident, region.account, region.name, **f)
    region.clusters[ident] = cluster
    return cluster


def automated_snapshot_id(source_id, when):
    return "rds:%s-%s" % (source_id, when.strftime("%Y-%m-%d-%H-%M"))


def snapshot_of_instance(region, inst, ident, now, **f):
    fields = dict(
        instance_id=inst.id, dbi_resource_id=inst.dbi_resource_id, create_time=now,
        engine=inst.engine, engine_version=inst.engine_version,
        allocated_storage=inst.allocated_storage, port=inst.port,
        master_username=inst.master_username, encrypted=inst.encrypted,
        kms_key_id=inst.kms_key_id, iam_auth=inst.iam_auth,
        source_create_time=inst.create_time, availability_zone=inst.az,
        storage_type=inst.storage_type,
        extra={"instance_class": inst.instance_class,
               "backup_retention": inst.backup_retention or 1,
               "db_name": inst.db_name})
    fields.update(f)
    snap = R.DBSnapshot(ident, region.account, region.name, **fields)
    region.snapshots[ident] = snap
    return snap


def snapshot_of_cluster(region, cluster, ident, now, **f):
    fields = dict(
        cluster_id=cluster.id, resource_id=cluster.resource_id, create_time=now,
        engine=cluster.engine, engine_version=cluster.engine_version,
        engine_mode=cluster.engine_mode, allocated_storage=cluster.allocated_storage,
        port=cluster.port, master_username=cluster.master_username,
        encrypted=cluster.encrypted, kms_key_id=cluster.kms_key_id,
        iam_auth=cluster.iam_auth, source_create_time=cluster.create_time,
        extra={"backup_retention": cluster.backup_retention,
               "database_name": cluster.database_name})
    fields.update(f)
    snap = R.DBClusterSnapshot(ident, region.account, region.name, **fields)
    region.cluster_snapshots[ident] = snap
    return snap


def copy_snapshot(region, source, ident, now, **f):
    """A copy of a DB or cluster snapshot into `region` (status set by caller)."""
    common = dict(
        create_time=now, engine=source.engine, engine_version=source.engine_version,
        allocated_storage=source.allocated_storage, port=source.port,
        master_username=source.master_username, encrypted=source.encrypted,
        kms_key_id=source.kms_key_id, iam_auth=source.iam_auth,
        source_create_time=source.source_create_time, source_arn=source.arn,
        original_create_time=source.original_create_time, extra=dict(source.extra))
    if source.region != region.name:
        common["source_region"] = source.region
    common.update(f)
    if isinstance(source, R.DBSnapshot):
        snap = R.DBSnapshot(ident, region.account, region.name,
                            instance_id=source.instance_id,
                            dbi_resource_id=source.dbi_resource_id,
                            storage_type=source.storage_type, **common)
        region.snapshots[ident] = snap
    else:
        snap = R.DBClusterSnapshot(ident, region.account, region.name,
                                   cluster_id=source.cluster_id,
                                   resource_id=source.resource_id,
                                   engine_mode=source.engine_mode, **common)
        region.cluster_snapshots[ident] = snap
    return snap
