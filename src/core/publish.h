/*-------------------------------------------------------------------------
 * publish.h
 *		Telling SNS and CloudWatch about finished operations.
 *-------------------------------------------------------------------------
 */
#ifndef RDS_BACKUP_PUBLISH_H
#define RDS_BACKUP_PUBLISH_H

/*
 * Publish every finished, not yet published operation (of the last day)
 * to rds_backup.sns_topic_arn and rds_backup.cloudwatch_namespace, where
 * set.  A failure is logged and retried next round; it never affects
 * tracking.  Called by the worker outside any transaction.
 */
extern void publish_pending(void);

#endif
