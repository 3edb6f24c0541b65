"""SNS Publish; messages are kept for tests to read back."""
import re
import uuid

from .. import clock
from . import action

TOPIC_RE = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$")


def _invalid(ctx, what):
    return ctx.fault("InvalidParameterException", "Invalid parameter: %s" % what)


@action("sns", "Publish")
def publish(ctx, p):
    target = p.get("TopicArn") or p.get("TargetArn")
    if not target and not p.get("PhoneNumber"):
        raise _invalid(ctx, "TopicArn or TargetArn Reason: no value for required parameter")
    if target:
        match = TOPIC_RE.match(target)
        if not match:
            raise _invalid(ctx, "TopicArn" if p.get("TopicArn") else "TargetArn")
        if match.group(1) != ctx.region_name:
            raise _invalid(ctx, "TopicArn Reason: the topic is in region %s, not %s"
                           % (match.group(1), ctx.region_name))
        if ctx.store.topics and target not in ctx.store.topics:
            raise ctx.fault("NotFoundException", "Topic does not exist")
    message = p["Message"]
    if not message:
        raise _invalid(ctx, "Empty message")
    if len(message.encode()) > 256 * 1024:
        raise _invalid(ctx, "Message too long")
    subject = p.get("Subject")
    if subject is not None and (not subject or len(subject) > 100 or "\n" in subject
                                or not subject.isascii()):
        raise _invalid(ctx, "Subject")
    message_id = str(uuid.uuid4())
    attributes = {}
    for name, value in (p.get("MessageAttributes") or {}).items():
        attributes[name] = {k: v for k, v in value.items() if k != "BinaryValue"}
    ctx.store.sns_messages.append({
        "message_id": message_id, "topic_arn": target, "phone_number": p.get("PhoneNumber"),
        "subject": subject, "message": message, "attributes": attributes,
        "region": ctx.region_name, "account": ctx.account,
        "time": clock.iso(ctx.now)})
    return {"MessageId": message_id}
