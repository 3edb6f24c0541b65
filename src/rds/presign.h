/*-------------------------------------------------------------------------
 * presign.h
 *		The PreSignedUrl of cross-region RDS requests, built the way the
 *		AWS SDKs build it from SourceRegion.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_PRESIGN_H
#define RDS_BACKUP_PRESIGN_H

#include "aws/client.h"

/* How long the source region accepts the URL, as the SDKs sign it. */
#define PRESIGN_EXPIRES_SECS	3600

/*
 * Add PreSignedUrl to req (bound for the destination region req->region):
 * req's action and parameters plus DestinationRegion, as a GET to
 * source_region's endpoint, SigV4-presigned for source_region.  Call it
 * after every other parameter is in place.  The URL carries a signature:
 * aws_call() keeps it out of audit_log, and it never goes into an error.
 */
extern void presign_add_url(AwsRequest *req, const char *source_region);

/*
 * After aws_call() of a request that carries a PreSignedUrl: if AWS's
 * error message quotes the URL (or any part of a presigned query), take
 * it out, so that it reaches neither operations.error nor an ERROR.
 */
extern void presign_scrub_reply(const AwsRequest *req, AwsReply *reply);

#endif
