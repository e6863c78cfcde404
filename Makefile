# PGXS build of the migration_guard extension: `make && make install`, `make installcheck`.
# The CLI and the unit tests are built by CMake (see CMakeLists.txt and README.md).

EXTENSION   = migration_guard
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big  = migration_guard
DATA        = $(wildcard $(EXTENSION)--*.sql)
DOCS        = README.md

CORE_SRCS      = $(wildcard src/core/*.cpp)
PGPARSE_SRCS   = $(wildcard src/pgparse/*.cpp)
EXTENSION_SRCS = $(wildcard src/extension/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PGPARSE_SRCS:.cpp=.o) $(EXTENSION_SRCS:.cpp=.o)

# pg_regress: one file per topic under sql/ and expected/.
REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=plpgsql --load-extension=migration_guard

# Isolation tests (several sessions at once): specs/*.spec against expected/*.out.
ISOLATION      = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=plpgsql --load-extension=migration_guard

PG_CONFIG ?= pg_config
PG_SHAREDIR := $(shell $(PG_CONFIG) --sharedir)

GENERATED   = src/generated/pg_errcodes.inc
EXTRA_CLEAN = src/generated

PG_CPPFLAGS = -Isrc -Isrc/generated
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
              -Wno-register
SHLIB_LINK  = -lcrypto -lstdc++

# No LLVM bitcode for JIT inlining: it would need clang at install time and buys nothing here.
override with_llvm = no

# Rebuild objects when a header they include changes.
override autodepend = yes

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(GENERATED): $(PG_SHAREDIR)/errcodes.txt tools/gen-errcodes.sh
	sh tools/gen-errcodes.sh $< $@

src/core/sqlstate.o: $(GENERATED)
