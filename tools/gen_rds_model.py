#!/usr/bin/python3
"""Generate src/rds/model.c from botocore's Amazon RDS service model.

Usage: /usr/bin/python3 tools/gen_rds_model.py [--model PATH] [--out PATH]

Reads rds/2014-10-31/service-2.json as Debian's python3-botocore ships it
and writes, for the actions the extension calls, their input members (model
order; type, required, sensitive, list location names, nested structures)
and their modelled error codes.  The C declarations are in src/rds/model.h
(hand-written); the output is committed and must not be edited by hand.
Standard library only, so the output depends on nothing but the model file.
"""

import argparse
import hashlib
import json
import os
import sys

DEFAULT_MODEL = ("/usr/lib/python3/dist-packages/botocore/data/rds/"
                 "2014-10-31/service-2.json")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "src", "rds", "model.c")

ACTIONS = [
    "CreateDBSnapshot", "DescribeDBSnapshots", "DeleteDBSnapshot",
    "CreateDBClusterSnapshot", "DescribeDBClusterSnapshots",
    "DeleteDBClusterSnapshot", "RestoreDBInstanceFromDBSnapshot",
    "RestoreDBInstanceToPointInTime", "RestoreDBClusterFromSnapshot",
    "RestoreDBClusterToPointInTime", "CreateDBInstance", "CopyDBSnapshot",
    "CopyDBClusterSnapshot", "ModifyDBSnapshotAttribute",
    "ModifyDBClusterSnapshotAttribute", "DescribeDBSnapshotAttributes",
    "DescribeDBClusterSnapshotAttributes", "ModifyDBInstance",
    "ModifyDBCluster", "DescribeDBInstances", "DescribeDBClusters",
    "DescribeDBInstanceAutomatedBackups", "StartExportTask",
    "DescribeExportTasks", "CancelExportTask",
    "StartDBInstanceAutomatedBackupsReplication",
    "StopDBInstanceAutomatedBackupsReplication", "AddTagsToResource",
    "ListTagsForResource",
]

# Members that carry secrets although this model does not flag them
# "sensitive" (older botocore models flag none): passwords, and presigned
# URLs, which hold a signature and possibly a session token.
EXTRA_SENSITIVE = {"MasterUserPassword", "TdeCredentialPassword",
                   "PreSignedUrl"}

C_TYPES = {
    "string": "RDS_STRING", "integer": "RDS_INTEGER", "long": "RDS_LONG",
    "double": "RDS_DOUBLE", "boolean": "RDS_BOOLEAN",
    "timestamp": "RDS_TIMESTAMP", "list": "RDS_LIST",
    "structure": "RDS_STRUCTURE", "map": "RDS_MAP",
}


def c_str(s):
    return json.dumps(s)  # ASCII identifiers: JSON quoting is C quoting


def c_bool(b):
    return "true" if b else "false"


class Generator:
    def __init__(self, model):
        self.shapes = model["shapes"]
        self.ops = model["operations"]
        self.defs = []       # C definitions, children before parents
        self.emitted = {}    # (shape, inherited sensitivity) -> C name
        self.errors = {}     # wire code -> (http status, sender fault)

    def shape(self, name):
        s = self.shapes[name]
        if s["type"] not in C_TYPES:
            sys.exit("unsupported shape type %s (%s)" % (s["type"], name))
        return s

    def member_line(self, name, ref, inherited, required):
        """C initialiser of one RdsMember for a reference to a shape."""
        s = self.shape(ref["shape"])
        sensitive = bool(inherited or ref.get("sensitive") or
                         s.get("sensitive") or name in EXTRA_SENSITIVE)
        element = members = "NULL"
        count = 0
        if s["type"] == "list":
            element = "&" + self.element(ref["shape"], sensitive)
        elif s["type"] in ("structure", "map"):
            members, count = self.members(ref["shape"], sensitive)
        return "{%s, %s, %s, %s, %s, %s, %d}" % (
            c_str(name), C_TYPES[s["type"]], c_bool(required),
            c_bool(sensitive), element, members, count)

    def element(self, list_name, sensitive):
        """The element of a list shape, named by its location name."""
        key = (list_name, sensitive)
        if key not in self.emitted:
            s = self.shapes[list_name]
            if s.get("flattened"):
                sys.exit("flattened list %s is not supported" % list_name)
            ref = s["member"]
            line = self.member_line(ref.get("locationName", "member"), ref,
                                    sensitive, False)
            cname = "%s_element%s" % (list_name, "_s" if sensitive else "")
            self.defs.append("static const RdsMember %s = %s;\n"
                             % (cname, line))
            self.emitted[key] = cname
        return self.emitted[key]

    def members(self, shape_name, sensitive):
        """The member array of a structure or map; returns (name, count)."""
        key = (shape_name, sensitive)
        s = self.shapes[shape_name]
        if s["type"] == "map":
            if s.get("flattened"):
                sys.exit("flattened map %s is not supported" % shape_name)
            items = [(s["key"].get("locationName", "key"), s["key"], False),
                     (s["value"].get("locationName", "value"), s["value"],
                      False)]
        else:
            required = set(s.get("required", []))
            items = []
            for name, ref in s["members"].items():
                if "locationName" in ref and ref["locationName"] != name:
                    sys.exit("%s.%s has a locationName: not supported"
                             % (shape_name, name))
                items.append((name, ref, name in required))
        if key not in self.emitted:
            lines = [self.member_line(n, r, sensitive, req)
                     for n, r, req in items]
            cname = "%s_members%s" % (shape_name, "_s" if sensitive else "")
            self.defs.append("static const RdsMember %s[] = {\n%s};\n" % (
                cname, "".join("\t%s,\n" % line for line in lines)))
            self.emitted[key] = cname
        return self.emitted[key], len(items)

    def action_errors(self, action):
        codes = []
        for ref in self.ops[action].get("errors", []):
            s = self.shapes[ref["shape"]]
            err = s.get("error", {})
            code = err.get("code", ref["shape"])
            self.errors[code] = (err.get("httpStatusCode", 0),
                                 err.get("senderFault", False))
            if code not in codes:
                codes.append(code)
        return codes

    def generate(self, model_path, digest):
        actions = []
        for action in ACTIONS:
            op = self.ops[action]
            members, count = self.members(op["input"]["shape"], False)
            actions.append((action, members, count,
                            self.action_errors(action)))

        codes = sorted(self.errors)
        index = {code: i for i, code in enumerate(codes)}
        out = [HEADER % {"model": model_path, "sha": digest}]
        out.append("const RdsError rds_model_errors[] = {\n")
        for code in codes:
            status, sender = self.errors[code]
            out.append("\t{%s, %d, %s},\n" % (c_str(code), status,
                                             c_bool(sender)))
        out.append("};\nconst int\trds_model_n_errors = %d;\n\n" % len(codes))
        out.append("/* input members */\n\n")
        out.append("\n".join(self.defs))
        out.append("\n/* modelled errors per action */\n\n")
        for action, _, _, errs in actions:
            out.append("static const RdsError *const %s_errors[] = {\n%s};\n"
                       % (action, "".join("\t&rds_model_errors[%d],\t/* %s */\n"
                                          % (index[c], c) for c in errs)))
        out.append("\nconst RdsAction rds_model_actions[] = {\n")
        for action, members, count, errs in actions:
            out.append("\t{%s, %s, %d, %s_errors, %d},\n"
                       % (c_str(action), members, count, action, len(errs)))
        out.append("};\nconst int\trds_model_n_actions = %d;\n" % len(actions))
        out.append(LOOKUPS)
        return "".join(out)


HEADER = r"""\
/*
 * model.c
 *		Amazon RDS input members and modelled errors (see model.h).
 *
 * GENERATED by tools/gen_rds_model.py -- DO NOT EDIT.  Change the generator
 * and run /usr/bin/python3 tools/gen_rds_model.py instead.
 *
 * Source: %(model)s
 * SHA-256: %(sha)s
 */
#include "rds/model.h"

#include <stddef.h>
#include <string.h>

"""

LOOKUPS = r"""
const RdsAction *
rds_model_action(const char *name)
{
	int			i;

	for (i = 0; i < rds_model_n_actions; i++)
		if (strcmp(rds_model_actions[i].name, name) == 0)
			return &rds_model_actions[i];
	return NULL;
}

/* The member of a structure named by the len bytes at s */
static const RdsMember *
child_n(const RdsMember *parent, const char *s, size_t len)
{
	int			i;

	for (i = 0; i < parent->n_members; i++)
		if (strlen(parent->members[i].name) == len &&
			strncmp(parent->members[i].name, s, len) == 0)
			return &parent->members[i];
	return NULL;
}

const RdsMember *
rds_model_child(const RdsMember *parent, const char *name)
{
	if (parent->type == RDS_LIST)
		parent = parent->element;
	return child_n(parent, name, strlen(name));
}

static bool
is_index(const char *s, size_t len)
{
	return len > 0 && strspn(s, "0123456789") >= len;
}

const RdsMember *
rds_model_member(const RdsAction *action, const char *path)
{
	RdsMember	top = {action->name, RDS_STRUCTURE, false, false, NULL,
					   action->members, action->n_members};
	const RdsMember *cur = &top;
	const char *s = path;
	size_t		len;

	for (;;)
	{
		len = strcspn(s, ".");
		if (cur->type == RDS_LIST)
		{
			/* enter the element, stepping over "Tag" and "1" in Tags.Tag.1 */
			cur = cur->element;
			if (strlen(cur->name) == len && strncmp(cur->name, s, len) == 0)
			{
				if (s[len] == '\0')
					return cur;
				s += len + 1;
				len = strcspn(s, ".");
			}
			if (is_index(s, len))
			{
				if (s[len] == '\0')
					return cur;
				s += len + 1;
			}
			continue;
		}
		cur = child_n(cur, s, len);
		if (cur == NULL || s[len] == '\0')
			return cur;
		s += len + 1;
	}
}

bool
rds_model_has_param(const RdsAction *action, const char *path)
{
	return action != NULL && rds_model_member(action, path) != NULL;
}

const RdsError *
rds_model_error(const char *code)
{
	int			lo = 0;
	int			hi = rds_model_n_errors - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(code, rds_model_errors[mid].code);

		if (c == 0)
			return &rds_model_errors[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    with open(args.model, "rb") as f:
        raw = f.read()
    model = json.loads(raw)
    if model["metadata"]["apiVersion"] != "2014-10-31":
        sys.exit("unexpected RDS API version")
    text = Generator(model).generate(args.model,
                                     hashlib.sha256(raw).hexdigest())
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
