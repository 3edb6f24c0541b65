"""CloudWatch PutMetricData; data points are kept for tests to read back."""
import math

from .. import clock
from . import action


@action("monitoring", "PutMetricData")
def put_metric_data(ctx, p):
    namespace = p["Namespace"]
    if namespace.startswith("AWS/") or not namespace:
        raise ctx.fault("InvalidParameterValueException",
                        "The value %s for parameter Namespace is invalid." % namespace)
    data = p["MetricData"]
    if not data or len(data) > 1000:
        raise ctx.fault("InvalidParameterValueException",
                        "The collection MetricData must have between 1 and 1000 items.")
    records = []
    for i, datum in enumerate(data, 1):
        given = [k for k in ("Value", "StatisticValues", "Values") if k in datum]
        if len(given) > 1:
            raise ctx.fault("InvalidParameterCombinationException",
                            "The parameters MetricData.member.%d.Value, StatisticValues and "
                            "Values are mutually exclusive." % i)
        value = datum.get("Value")
        if value is not None and (math.isnan(value) or math.isinf(value)):
            raise ctx.fault("InvalidParameterValueException",
                            "The value for parameter MetricData.member.%d.Value is invalid."
                            % i)
        records.append({
            "namespace": namespace, "metric_name": datum["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in datum.get("Dimensions") or []},
            "value": value, "values": datum.get("Values"), "counts": datum.get("Counts"),
            "statistic_values": datum.get("StatisticValues"), "unit": datum.get("Unit"),
            "timestamp": clock.iso(datum["Timestamp"]) if datum.get("Timestamp") else None,
            "region": ctx.region_name, "account": ctx.account, "time": clock.iso(ctx.now)})
    ctx.store.metrics.extend(records)
    return {}
