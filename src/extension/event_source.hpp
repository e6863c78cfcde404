// What PostgreSQL reports to an event trigger: pg_event_trigger_ddl_commands() at
// ddl_command_end, pg_event_trigger_dropped_objects() at sql_drop. Read once per event trigger
// call, directly through fmgr, and shared by DDL capture and the guard.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg::event_source {

enum class Kind { kCommands, kDropped };

// Where the columns are in a result (attribute numbers); 0 for a column the kind does not have.
struct Columns {
    AttrNumber classid, objid, objsubid, object_type, schema_name, object_identity;
    AttrNumber command_tag, in_extension;                                                // commands
    AttrNumber original, normal, is_temporary, object_name, address_names, address_args; // drops
};

struct Result {
    Tuplestorestate *store;
    TupleDesc desc;
    Columns at;
};

// Calls the function for `kind` in materialize mode, as the executor would; the result lives in
// CurrentMemoryContext (the event trigger's, freed after the call).
Result read(Kind kind);

// Registers the cache callbacks that tell when the cached function lookups are stale.
void install();

} // namespace mg::pg::event_source
