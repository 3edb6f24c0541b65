"""The botocore service models, and Query-protocol parameter decoding.

Requests arrive as flat key/value pairs (`Tags.Tag.1.Key=...`).  decode()
rebuilds the nested input structure by walking the operation's input
shape exactly the way botocore's QuerySerializer flattens it, so every
parameter the model does not know is left over and rejected.  Types are
checked while decoding; modelled constraints (min/max/pattern/enum) after.
"""
import base64
import re

import botocore.loaders
import botocore.model

from . import errors
from .clock import parse_iso

# Services served, keyed by SigV4 signing name (the credential scope's
# service).  'monitoring' is CloudWatch's signing name.
SERVICES = {
    "rds": "rds",
    "sts": "sts",
    "sns": "sns",
    "monitoring": "cloudwatch",
}


class Service:
    def __init__(self, signing_name, model):
        self.signing_name = signing_name
        self.model = model
        self.namespace = model.metadata["xmlNamespace"]
        self.version = model.api_version
        self._faults = {}
        for name in model.shape_names:
            shape = model.shape_for(name)
            if shape.metadata.get("exception"):
                self._faults[name] = shape

    def has_operation(self, name):
        return name in self.model.operation_names

    def operation(self, name):
        return self.model.operation_model(name)

    def fault(self, shape_name, message):
        """AwsError for a modelled exception shape, e.g. 'DBSnapshotNotFoundFault'."""
        shape = self._faults[shape_name]
        err = shape.metadata.get("error", {})
        return errors.AwsError(
            err.get("code", shape_name), message,
            int(err.get("httpStatusCode", 400)),
            sender=err.get("senderFault", True))


class ServiceModels:
    def __init__(self):
        loader = botocore.loaders.create_loader()
        self.services = {}
        for signing_name, model_name in SERVICES.items():
            raw = loader.load_service_model(model_name, "service-2")
            model = botocore.model.ServiceModel(raw, service_name=model_name)
            self.services[signing_name] = Service(signing_name, model)

    def get(self, signing_name):
        return self.services.get(signing_name)


# ---------------------------------------------------------------------------
# Decoding flat Query parameters into the input structure


class _Flat:
    """The received parameters, tracking which ones the shape consumed."""

    def __init__(self, params):
        self.params = params
        self.consumed = set()

    def has(self, key):
        return key in self.params

    def take(self, key):
        self.consumed.add(key)
        return self.params[key]

    def children(self, prefix):
        """Distinct next path segments under prefix ('A.B' -> segments after 'A.B.')."""
        start = prefix + "."
        segs = []
        for key in self.params:
            if key.startswith(start):
                seg = key[len(start):].split(".", 1)[0]
                if seg not in segs:
                    segs.append(seg)
        return segs

    def present(self, prefix):
        start = prefix + "."
        return prefix in self.params or any(k.startswith(start) for k in self.params)


def _join(prefix, name):
    return "%s.%s" % (prefix, name) if prefix else name


def _indices(flat, prefix):
    """Numeric list/map indices under prefix, sorted; others stay unconsumed."""
    out = []
    for seg in flat.children(prefix):
        if seg.isdigit() and int(seg) >= 1 and str(int(seg)) == seg:
            out.append(int(seg))
    return sorted(out)


def _decode(shape, prefix, flat):
    kind = shape.type_name
    if kind == "structure":
        return _decode_structure(shape, prefix, flat)
    if kind == "list":
        return _decode_list(shape, prefix, flat)
    if kind == "map":
        return _decode_map(shape, prefix, flat)
    if not flat.has(prefix):
        return None
    return _scalar(shape, prefix, flat.take(prefix))


def _decode_structure(shape, prefix, flat):
    if prefix and not flat.present(prefix):
        return None
    out = {}
    for name, member in shape.members.items():
        value = _decode(member, _join(prefix, member.serialization.get("name", name)), flat)
        if value is not None:
            out[name] = value
    for name in shape.required_members:
        if name not in out:
            member = shape.members[name]
            raise errors.missing_parameter(
                _join(prefix, member.serialization.get("name", name)))
    return out


def _decode_list(shape, prefix, flat):
    if shape.serialization.get("flattened"):
        list_prefix = prefix
        if shape.member.serialization.get("name"):
            list_prefix = ".".join(prefix.split(".")[:-1]
                                   + [shape.member.serialization["name"]])
    else:
        list_prefix = _join(prefix, shape.member.serialization.get("name", "member"))
    if flat.has(prefix) and flat.params[prefix] == "":
        flat.take(prefix)            # an empty list is sent as "Param="
        if not flat.present(list_prefix):
            return []
    idx = _indices(flat, list_prefix)
    if not idx:
        return None
    return [_decode(shape.member, "%s.%d" % (list_prefix, i), flat) for i in idx]


def _decode_map(shape, prefix, flat):
    full = prefix if shape.serialization.get("flattened") else prefix + ".entry"
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    idx = _indices(flat, full)
    if not idx:
        return None
    out = {}
    for i in idx:
        entry = "%s.%d" % (full, i)
        key = _decode(shape.key, "%s.%s" % (entry, key_name), flat)
        if key is None:
            raise errors.missing_parameter("%s.%s" % (entry, key_name))
        out[key] = _decode(shape.value, "%s.%s" % (entry, value_name), flat)
    return out


_INT_RE = re.compile(r"^[+-]?\d+$")


def _bad_type(name, value, what):
    return errors.invalid_parameter_value(
        "Invalid value '%s' for parameter %s: must be %s." % (value, name, what))


def _scalar(shape, name, value):
    kind = shape.type_name
    if kind == "string":
        return value
    if kind in ("integer", "long"):
        if not _INT_RE.match(value.strip()):
            raise _bad_type(name, value, "an integer")
        number = int(value)
        limit = 2 ** 31 if kind == "integer" else 2 ** 63
        if not -limit <= number < limit:
            raise _bad_type(name, value, "an integer in range")
        return number
    if kind == "boolean":
        low = value.strip().lower()
        if low not in ("true", "false"):
            raise _bad_type(name, value, "true or false")
        return low == "true"
    if kind in ("double", "float"):
        try:
            return float(value)
        except ValueError:
            raise _bad_type(name, value, "a number")
    if kind == "timestamp":
        try:
            return parse_iso(value)
        except ValueError:
            raise _bad_type(name, value, "an ISO 8601 timestamp")
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise _bad_type(name, value, "base64")
    return value


def decode(op_model, params):
    """Decode flat Query params (without Action/Version) into a dict.

    Raises AwsError on unknown parameters, wrong types, missing required
    members and modelled constraint violations.
    """
    flat = _Flat(params)
    shape = op_model.input_shape
    out = {}
    if shape is not None:
        out = _decode_structure(shape, "", flat)
    unknown = [k for k in params if k not in flat.consumed]
    if unknown:
        raise errors.invalid_parameter_value(
            "Unrecognized parameter%s: %s" % (
                "s" if len(unknown) > 1 else "", ", ".join(sorted(unknown))))
    if shape is not None:
        problems = []
        _check(shape, out, "", problems)
        if problems:
            raise errors.validation_error(
                "%d validation error%s detected: %s" % (
                    len(problems), "s" if len(problems) > 1 else "",
                    "; ".join(problems)))
    return out


# ---------------------------------------------------------------------------
# Modelled constraints, reported the way AWS's request validation does


def _camel(name):
    return name[:1].lower() + name[1:]


def _java_pattern(pattern):
    # Java's Unicode classes have no exact Python equivalent; approximate.
    return (pattern.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\d")
            .replace(r"\p{Z}", r"\s"))


def _check(shape, value, path, problems):
    meta = shape.metadata
    kind = shape.type_name
    where = path or "input"
    if kind == "structure":
        for name, member in shape.members.items():
            if name in value:
                _check(member, value[name], _join(path, _camel(name)), problems)
        return
    if kind == "list":
        _check_len(meta, len(value), value, where, problems, "length")
        for i, item in enumerate(value, 1):
            _check(shape.member, item, "%s.%d.member" % (where, i), problems)
        return
    if kind == "map":
        for key, item in value.items():
            _check(shape.value, item, "%s.%s" % (where, key), problems)
        return
    if kind == "string":
        _check_len(meta, len(value), value, where, problems, "length")
        if "enum" in meta and value not in meta["enum"]:
            problems.append(
                "Value '%s' at '%s' failed to satisfy constraint: Member must "
                "satisfy enum value set: [%s]" % (value, where, ", ".join(meta["enum"])))
        if "pattern" in meta:
            try:
                ok = re.fullmatch(_java_pattern(meta["pattern"]), value, re.S)
            except re.error:
                ok = True
            if not ok:
                problems.append(
                    "Value '%s' at '%s' failed to satisfy constraint: Member must "
                    "satisfy regular expression pattern: %s" % (value, where, meta["pattern"]))
    elif kind in ("integer", "long"):
        _check_len(meta, value, value, where, problems, "value")


def _check_len(meta, size, value, where, problems, what):
    shown = value if what == "value" or isinstance(value, str) else "[...]"
    if "min" in meta and size < meta["min"]:
        problems.append(
            "Value '%s' at '%s' failed to satisfy constraint: Member must have %s "
            "greater than or equal to %s" % (shown, where, what, meta["min"]))
    if "max" in meta and size > meta["max"]:
        problems.append(
            "Value '%s' at '%s' failed to satisfy constraint: Member must have %s "
            "less than or equal to %s" % (shown, where, what, meta["max"]))
