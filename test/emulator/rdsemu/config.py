"""Tunables of the emulator.  Everything here can be changed at run time
through the control API (POST /_emulator/config)."""
import copy

DEFAULT_ACCOUNT = "123456789012"

# Emulated seconds each asynchronous transition takes.
DEFAULT_DURATIONS = {
    "snapshot": 10,            # CreateDBSnapshot creating -> available
    "cluster_snapshot": 10,    # CreateDBClusterSnapshot
    "copy": 15,                # Copy*Snapshot (same or cross region)
    "restore": 20,             # Restore* -> instance/cluster available
    "create_instance": 20,     # CreateDBInstance
    "modify": 5,               # Modify* that change status
    "delete": 5,               # Delete* instance/cluster -> gone
    "export": 30,              # StartExportTask STARTING -> COMPLETE
    "export_starting": 5,      # part of "export" spent in STARTING
    "export_cancel": 5,        # CANCELING -> CANCELED
    "replication": 10,         # automated backups replication pending -> replicating
}

DEFAULTS = {
    "account_id": DEFAULT_ACCOUNT,
    "durations": DEFAULT_DURATIONS,
    "snapshot_quota": 100,          # manual DB snapshots per account+region
    "cluster_snapshot_quota": 100,  # manual cluster snapshots per account+region
    "shared_snapshot_quota": 20,    # accounts a snapshot may be shared with
    "cross_region_copy_limit": 5,   # copies in flight per destination region
    "restore_lag_seconds": 300,     # LatestRestorableTime = now - lag
    "require_presigned_url": True,  # cross-region Copy*/replication need one
    "signature_skew_seconds": 300,  # X-Amz-Date tolerance
    "max_tags": 50,
    "describe_delay": 0.0,          # emulated seconds before Describe* shows a new resource
    "instance_region": "us-east-1",        # what IMDS says the instance's region is
    "imds_v1_allowed": False,              # IMDS without a session token
    "container_authorization_token": "",   # required Authorization of /ecs/credentials
    "credential_lifetime_seconds": 0,      # >0: lifetime of every credential IMDS, the
                                           # container endpoint and STS issue (0: 6 h for
                                           # IMDS/container, DurationSeconds for STS)
    "metadata_delay_seconds": 0.0,         # IMDS and container credentials answer this late
}


class Config:
    def __init__(self, overrides=None):
        self._initial = copy.deepcopy(overrides or {})
        self.reset()

    def reset(self):
        """Back to the defaults plus the start-up overrides."""
        self._values = copy.deepcopy(DEFAULTS)
        self.update(copy.deepcopy(self._initial))

    def __getitem__(self, key):
        return self._values[key]

    def duration(self, name):
        return float(self._values["durations"][name])

    def update(self, changes):
        """Apply a dict of changes; 'durations' merges.  Unknown keys raise."""
        for key, value in changes.items():
            if key not in self._values:
                raise KeyError("unknown config key: %s" % key)
            if key == "durations":
                for dkey, dval in value.items():
                    if dkey not in DEFAULT_DURATIONS:
                        raise KeyError("unknown duration: %s" % dkey)
                    self._values["durations"][dkey] = float(dval)
            elif isinstance(DEFAULTS[key], bool):
                self._values[key] = bool(value)
            elif isinstance(DEFAULTS[key], int):
                self._values[key] = int(value)
            elif isinstance(DEFAULTS[key], float):
                value = float(value)
                if value < 0:
                    raise ValueError("%s must be >= 0" % key)
                self._values[key] = value
            else:
                self._values[key] = value

    def as_dict(self):
        return copy.deepcopy(self._values)
