"""AWS actions.  Each module registers its handlers with @action.

A handler gets (ctx, params): ctx is a Context, params the decoded input
structure (member names as in the model).  It returns the output
structure as a dict, or raises AwsError.  Handlers run with the store's
lock held, after the store was ticked to ctx.now.
"""
REGISTRY = {}


def action(service, name):
    def register(func):
        REGISTRY[(service, name)] = func
        return func
    return register


def handler(service, name):
    return REGISTRY.get((service, name))


class Context:
    def __init__(self, app, service, action, verified, now, request_id):
        self.action = action
        self.store = app.store
        self.config = app.config
        self.credentials = app.credentials
        self.service = service
        self.credential = verified.credential
        self.account = verified.credential.account_id
        self.region_name = verified.region
        self.region = app.store.region(self.account, verified.region)
        self.now = now                 # resources' time
        self.wall = app.clock.wall()   # AWS's wall clock: signatures, credential expiry
        self.request_id = request_id

    def fault(self, shape_name, message):
        return self.service.fault(shape_name, message)

    @property
    def lag(self):
        return self.config["restore_lag_seconds"]

    def duration(self, name):
        return self.config.duration(name)


def load_all():
    """Import every action module so they register."""
    from . import (rds_instances, rds_snapshots, rds_cluster_snapshots,  # noqa: F401
                   rds_clusters, rds_restore, rds_copy, rds_attributes, rds_tags,
                   rds_exports, rds_backups, sts, sns, cloudwatch)
