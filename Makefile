# rds_backup: Amazon RDS and Aurora backups from SQL (PGXS build)

EXTENSION = rds_backup
MODULE_big = rds_backup
DATA = sql/rds_backup--1.0.sql

# every C file under src/ and its layer folders is part of the module
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/*/*.c)))

PG_CPPFLAGS = -Isrc $(shell xml2-config --cflags)
# -Wextra, except for unused parameters: PostgreSQL's own headers (ilist.h,
# bufpage.h) and its fixed hook signatures trip that one
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter
SHLIB_LINK = -lcurl -lcrypto $(shell xml2-config --libs)

# pg_regress: setup first, then every other sql/*.sql but the extension
# script; the lifecycle suites last: they start operations of many kinds,
# and the suites before them count their own kinds in operation_summary
REGRESS_ALL = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_LAST = $(filter lifecycle_%,$(REGRESS_ALL))
REGRESS = setup $(filter-out setup rds_backup--% $(REGRESS_LAST),$(REGRESS_ALL)) $(REGRESS_LAST)
# in the database the extension's workers serve (rds_backup.database):
# existing, with the extension created by setup.sql if need be
RB_REGRESS_DB ?= postgres
REGRESS_OPTS = --inputdir=. --use-existing

# the deploy hook, installed into PostgreSQL's bindir: C on libpq alone
SCRIPTS_built = rds-backup-snapshot

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
# PGXS names the database of REGRESS_OPTS after this, when it expands it
CONTRIB_TESTDB = $(RB_REGRESS_DB)

rds-backup-snapshot: bin/rds-backup-snapshot.c
	$(CC) $(CFLAGS) -Wall -Wextra -I$(includedir) $< $(LDFLAGS) $(libpq) -lm -o $@

# PGXS does not track header dependencies: every object depends on every
# header, so a changed struct never leaves a stale object behind
$(OBJS): $(wildcard src/*.h src/*/*.h)

.PHONY: sigv4-test
sigv4-test:
	$(MAKE) -C test/sigv4

# libFuzzer harnesses (clang, ASan, UBSan); SECONDS=N each, one after another
.PHONY: fuzz
fuzz:
	$(MAKE) -C test/fuzz run

# lines and branches of each fuzzed module reached by the seeds and the runs
.PHONY: fuzz-coverage
fuzz-coverage:
	$(MAKE) -C test/fuzz coverage

# ratios measured side by side in one run (bench/README.md); not a test
.PHONY: bench
bench:
	bash bench/run.sh
