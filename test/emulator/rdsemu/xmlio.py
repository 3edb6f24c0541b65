"""XML replies and errors, serialized from the operation's output shape.

Mirrors what botocore's query parser reads: members under their
serialized (location) names, non-flattened lists wrapped with the member
location name (default 'member'), maps as entry/key/value, timestamps in
ISO 8601 with milliseconds and 'Z', booleans lowercase.  Result keys that
are not members of the shape are a bug in an action and raise.
Keys starting with '_' are internal and skipped.
"""
import base64
import datetime
from xml.sax.saxutils import escape

from .clock import iso


def _text(shape, value):
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        if isinstance(value, datetime.datetime):
            return iso(value)
        return str(value)
    if kind == "blob":
        if isinstance(value, str):
            value = value.encode()
        return base64.b64encode(value).decode()
    if kind in ("double", "float"):
        return repr(float(value))
    return str(value)


def _element(out, name, shape, value):
    kind = shape.type_name
    if kind == "list" and shape.serialization.get("flattened"):
        member_name = shape.member.serialization.get("name", name)
        for item in value:
            _element(out, member_name, shape.member, item)
        return
    out.append("<%s>" % name)
    _content(out, shape, value)
    out.append("</%s>" % name)


def _content(out, shape, value):
    kind = shape.type_name
    if kind == "structure":
        _members(out, shape, value)
    elif kind == "list":
        member_name = shape.member.serialization.get("name", "member")
        for item in value:
            _element(out, member_name, shape.member, item)
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flattened = shape.serialization.get("flattened")
        for key, item in value.items():
            if not flattened:
                out.append("<entry>")
            _element(out, key_name, shape.key, key)
            _element(out, value_name, shape.value, item)
            if not flattened:
                out.append("</entry>")
    else:
        out.append(escape(_text(shape, value)))


def _members(out, shape, value):
    members = shape.members
    for key in value:
        if not key.startswith("_") and key not in members:
            raise ValueError("%s has no member %s" % (shape.name, key))
    for name, member in members.items():
        if name in value and value[name] is not None:
            _element(out, member.serialization.get("name", name), member, value[name])


def response(service, op_model, result, request_id):
    """The whole <OpResponse> document as bytes."""
    op = op_model.name
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<%sResponse xmlns="%s">' % (op, service.namespace)]
    shape = op_model.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", op + "Result")
        out.append("<%s>" % wrapper)
        _members(out, shape, result or {})
        out.append("</%s>" % wrapper)
    out.append("<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
               % request_id)
    out.append("</%sResponse>" % op)
    return "".join(out).encode("utf-8")


def error(namespace, err, request_id):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code>'
            '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
            % (namespace, "Sender" if err.sender else "Receiver",
               escape(err.code), escape(err.message), request_id)).encode("utf-8")
