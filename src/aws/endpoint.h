/*-------------------------------------------------------------------------
 * endpoint.h
 *		Which region a call goes to, and which URL serves that region.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_ENDPOINT_H
#define RDS_BACKUP_ENDPOINT_H

typedef struct AwsEndpoint
{
	char	   *url;			/* base URL, ending in "/" */
	char	   *host;			/* Host header: host[:port] */
	bool		overridden;		/* from rds_backup.endpoint or AWS_ENDPOINT_URL* */
} AwsEndpoint;

extern bool endpoint_region_is_valid(const char *region);
extern const char *endpoint_check_url(const char *url);
/* localhost, 127.0.0.0/8 or [::1]: the hosts plain http may go to */
extern bool endpoint_host_is_loopback(const char *host);
extern char *endpoint_resolve_region(const char *explicit_region);
extern AwsEndpoint *endpoint_resolve(const char *service, const char *region);

#endif
