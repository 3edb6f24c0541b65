# rds_backup: Amazon RDS and Aurora backups from SQL (PGXS build)

EXTENSION = rds_backup
MODULE_big = rds_backup
DATA = sql/rds_backup--1.0.sql

OBJS = \
	src/rds_backup.o \
	src/config.o \
	src/endpoint.o \
	src/credentials.o \
	src/aws_ini.o \
	src/aws_alloc.o \
	src/aws_query.o \
	src/sigv4.o \
	src/http.o \
	src/xml_reply.o \
	src/aws_client.o \
	src/autonomous.o \
	src/catalog.o \
	src/validate.o \
	src/rds_actions.o \
	src/operation.o \
	src/track.o \
	src/tracker.o \
	src/publish.o \
	src/wait.o \
	src/snapshot.o

PG_CPPFLAGS = -Isrc $(shell xml2-config --cflags)
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK = -lcurl -lcrypto $(shell xml2-config --libs)

REGRESS = setup validation snapshot privileges
REGRESS_OPTS = --inputdir=. --load-extension=rds_backup

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: sigv4-test
sigv4-test:
	$(MAKE) -C test/sigv4
