"""AWS-shaped errors.

AwsError carries what the XML error reply needs.  Modelled faults
(DBSnapshotNotFoundFault, ...) take their wire code and HTTP status from
the service model through model.ServiceModels.fault().
"""


class AwsError(Exception):
    def __init__(self, code, message, status=400, sender=True):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender


# Common errors of the Query protocol services (not in the models).
def invalid_parameter_value(message):
    return AwsError("InvalidParameterValue", message, 400)


def invalid_parameter_combination(message):
    return AwsError("InvalidParameterCombination", message, 400)


def missing_parameter(name):
    return AwsError("MissingParameter",
                    "The request must contain the parameter %s" % name, 400)


def validation_error(message):
    return AwsError("ValidationError", message, 400)


def internal_failure(message="An internal error has occurred."):
    return AwsError("InternalFailure", message, 500, sender=False)
