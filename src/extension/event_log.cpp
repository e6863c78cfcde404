// Writing migration_guard.ddl_events rows for DDL capture (capture.cpp).
//
// DDL capture runs on every DDL statement, so it does not go through SQL: it reads the commands
// (or dropped objects) from PostgreSQL's own set-returning function, called directly, and inserts
// the rows into ddl_events and its indexes the way logical replication's apply worker does
// (table AM insert, then index_insert per index), without planning or starting an executor. That
// is only right while ddl_events is exactly the table the install script made: the expected
// columns and types, B-tree indexes on plain columns (partial ones included), no triggers,
// rules, CHECK constraints or row security a DBA may have added since. Otherwise the rows go
// through a saved SPI INSERT as the extension owner, which honours all of those.

#include "extension/event_log.hpp"

#include "extension/as_owner.hpp"

extern "C" {
#include "catalog/pg_am.h"
#include "storage/lmgr.h"
}

namespace mg::pg::event_log {

namespace {

// The columns capture fills, by name; the order of this list is the order of kColumns.
enum Column {
    kEventId,
    kMigrationId,
    kOccurredAt,
    kEvent,
    kCommandTag,
    kObjectType,
    kSchemaName,
    kObjectIdentity,
    kClassid,
    kObjid,
    kObjsubid,
    kStatement,
    kRole,
    kSessionRole,
    kBackendPid,
    kTxid,
    kColumnCount
};

struct ColumnSpec {
    const char *name;
    Oid type;
    bool not_null; // as installed
};
constexpr ColumnSpec kColumns[kColumnCount] = {
    {"event_id", INT8OID, true},
    {"migration_id", INT8OID, false},
    {"occurred_at", TIMESTAMPTZOID, true},
    {"event", TEXTOID, true},
    {"command_tag", TEXTOID, true},
    {"object_type", TEXTOID, false},
    {"schema_name", TEXTOID, false},
    {"object_identity", TEXTOID, false},
    {"classid", OIDOID, false},
    {"objid", OIDOID, false},
    {"objsubid", INT4OID, false},
    {"statement", TEXTOID, false},
    {"role", NAMEOID, true},
    {"session_role", NAMEOID, true},
    {"backend_pid", INT4OID, true},
    {"txid", XID8OID, false},
};

// What the direct path needs to know about ddl_events; rebuilt after any relcache invalidation
// of the table (ALTER TABLE, CREATE INDEX, CREATE TRIGGER ... all send one) or of one of its
// indexes (REINDEX, a concurrent index build changing state).
struct TableInfo {
    Oid relid = InvalidOid;
    bool known = false;
    bool direct = false; // the table is exactly as installed: write it directly
    AttrNumber attnum[kColumnCount];
    Oid sequence = InvalidOid; // event_id's serial sequence
    int nindexes = 0;          // with `direct`: the indexes and what inserting into them needs
    Oid *index_oids = nullptr;
    IndexInfo **index_infos = nullptr;
};
TableInfo table_info;
MemoryContext table_info_context = nullptr; // holds the index arrays and IndexInfos
// While table_info is being rebuilt: the one being built, and whether an invalidation of it
// arrived meanwhile (catalog reads accept invalidations), in which case it is used for this
// call only and rebuilt on the next.
TableInfo building;
bool building_invalidated = false;

bool concerns(const TableInfo &info, Oid relid) {
    if (relid == InvalidOid || relid == info.relid)
        return true;
    for (int i = 0; i < info.nindexes; i++)
        if (relid == info.index_oids[i])
            return true;
    return false;
}

void on_relcache(Datum, Oid relid) {
    if (concerns(table_info, relid))
        table_info.known = false;
    if (concerns(building, relid))
        building_invalidated = true;
}

// The table, locked for the insert; InvalidOid when it is gone (dropped by this statement, or
// by a DROP EXTENSION another session committed meanwhile: the lookup waits for the lock and
// looks again). The table known from an earlier call is locked by its OID; the invalidations
// that taking the lock reads say whether it is still the same table.
Oid lock_ddl_events() {
    if (table_info.known) {
        const Oid relid = table_info.relid;
        LockRelationOid(relid, RowExclusiveLock);
        if (table_info.known)
            return relid;
        UnlockRelationOid(relid, RowExclusiveLock); // not the table any more: look it up by name
    }
    RangeVar *rv =
        makeRangeVar(const_cast<char *>("migration_guard"), const_cast<char *>("ddl_events"), -1);
    return RangeVarGetRelidExtended(rv, RowExclusiveLock, RVR_MISSING_OK, nullptr, nullptr);
}

// True when every column is the installed one, nothing else is there, and no trigger, rule,
// CHECK constraint, row security or non-plain index asks for the executor.
bool plain_table(Relation rel, TableInfo *info) {
    TupleDesc desc = RelationGetDescr(rel);
    if (rel->rd_rel->relkind != RELKIND_RELATION || rel->trigdesc != nullptr ||
        rel->rd_rel->relhasrules || rel->rd_rel->relrowsecurity ||
        (desc->constr != nullptr &&
         (desc->constr->num_check > 0 || desc->constr->has_generated_stored)))
        return false;
    int live = 0;
    for (int i = 0; i < desc->natts; i++)
        live += TupleDescAttr(desc, i)->attisdropped ? 0 : 1;
    if (live != kColumnCount)
        return false;
    for (int c = 0; c < kColumnCount; c++) {
        AttrNumber att = attnameAttNum(rel, kColumns[c].name, false);
        // A NOT NULL a DBA added must be checked: the SQL path does that.
        if (att <= 0 || TupleDescAttr(desc, att - 1)->atttypid != kColumns[c].type ||
            (TupleDescAttr(desc, att - 1)->attnotnull && !kColumns[c].not_null))
            return false;
        info->attnum[c] = att;
    }
    List *sequences = getOwnedSequences(RelationGetRelid(rel));
    if (list_length(sequences) != 1)
        return false;
    info->sequence = linitial_oid(sequences);
    return true;
}

// B-tree indexes whose keys are plain columns, immediate and without exclusion: what
// FormIndexDatum computes without an executor, and an access method that keeps no state between
// insertions (the IndexInfos are kept across statements). A partial index's predicate is
// compiled here, in the IndexInfo's memory, as the extension owner (whose SQL path would
// evaluate it otherwise), and evaluated per row against a standalone expression context.
bool plain_index(Relation index, IndexInfo *ii, Oid owner) {
    if (index->rd_rel->relam != BTREE_AM_OID || ii->ii_Expressions != NIL ||
        ii->ii_ExclusionOps != nullptr || !index->rd_index->indimmediate)
        return false;
    if (ii->ii_Predicate != NIL && ii->ii_PredicateState == nullptr)
        as_owner(
            owner, [&] { ii->ii_PredicateState = ExecInitQual(ii->ii_Predicate, nullptr); },
            /* fully_qualified */ true);
    return true;
}

// The direct path: inserts each row of the function's result into ddl_events and its indexes.
void insert_direct(Relation rel, const RowContext &ctx, const event_source::Result &source,
                   bool is_drop) {
    const event_source::Columns &at = source.at;
    const int n = table_info.nindexes;
    IndexInfo **infos = table_info.index_infos;
    Relation *indexes = static_cast<Relation *>(palloc0(sizeof(Relation) * (n + 1)));
    for (int i = 0; i < n; i++)
        indexes[i] = index_open(table_info.index_oids[i], RowExclusiveLock);

    ExprContext *predicates = nullptr; // for partial indexes
    for (int i = 0; i < n && predicates == nullptr; i++)
        if (infos[i]->ii_PredicateState != nullptr)
            predicates = CreateStandaloneExprContext();

    TupleTableSlot *src = MakeSingleTupleTableSlot(source.desc, &TTSOpsMinimalTuple);
    TupleTableSlot *slot = table_slot_create(rel, nullptr);
    const TableInfo &t = table_info;
    CommandId cid = GetCurrentCommandId(true);
    while (tuplestore_gettupleslot(source.store, true, false, src)) {
        slot_getallattrs(src);
        auto value = [&](AttrNumber a) { return src->tts_values[a - 1]; };
        auto isnull = [&](AttrNumber a) { return src->tts_isnull[a - 1]; };
        auto is_true = [&](AttrNumber a) { return !isnull(a) && DatumGetBool(value(a)); };
        // Which rows: commands of extension scripts and of temporary objects are not recorded;
        // of the dropped objects, the ones the statement named and those taken by CASCADE.
        if (is_drop) {
            if (!(is_true(at.original) || is_true(at.normal)) || is_true(at.is_temporary))
                continue;
        } else {
            if (is_true(at.in_extension))
                continue;
            if (!isnull(at.schema_name) &&
                strcmp(TextDatumGetCString(value(at.schema_name)), "pg_temp") == 0)
                continue;
        }

        ExecClearTuple(slot);
        Datum *v = slot->tts_values;
        bool *nulls = slot->tts_isnull;
        memset(nulls, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
        auto set = [&](Column c, Datum d, bool null = false) {
            v[t.attnum[c] - 1] = d;
            nulls[t.attnum[c] - 1] = null;
        };
        auto copy = [&](Column c, AttrNumber a) { set(c, value(a), isnull(a)); };
        set(kEventId, Int64GetDatum(nextval_internal(t.sequence, false)));
        set(kMigrationId, ctx.migration_id, ctx.migration_isnull);
        set(kOccurredAt, TimestampTzGetDatum(GetCurrentTimestamp()));
        set(kEvent, ctx.event);
        if (is_drop)
            set(kCommandTag, ctx.command_tag);
        else
            copy(kCommandTag, at.command_tag);
        copy(kObjectType, at.object_type);
        copy(kSchemaName, at.schema_name);
        copy(kObjectIdentity, at.object_identity);
        copy(kClassid, at.classid);
        copy(kObjid, at.objid);
        copy(kObjsubid, at.objsubid);
        set(kStatement, ctx.statement, ctx.statement_isnull);
        set(kRole, ctx.role);
        set(kSessionRole, ctx.session_role);
        set(kBackendPid, Int32GetDatum(MyProcPid));
        set(kTxid, ctx.txid);
        ExecStoreVirtualTuple(slot);

        table_tuple_insert(rel, slot, cid, 0, nullptr);
        if (predicates != nullptr) {
            ResetExprContext(predicates);
            predicates->ecxt_scantuple = slot;
        }
        for (int i = 0; i < n; i++) {
            if (!infos[i]->ii_ReadyForInserts)
                continue; // CREATE INDEX CONCURRENTLY has not reached this index's build yet
            if (infos[i]->ii_PredicateState != nullptr &&
                !ExecQual(infos[i]->ii_PredicateState, predicates))
                continue; // a partial index this row is not in
            Datum keys[INDEX_MAX_KEYS];
            bool key_nulls[INDEX_MAX_KEYS];
            FormIndexDatum(infos[i], slot, nullptr, keys, key_nulls);
            index_insert(indexes[i], keys, key_nulls, &slot->tts_tid, rel,
                         indexes[i]->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
                         false, infos[i]);
        }
    }
    ExecDropSingleTupleTableSlot(slot);
    ExecDropSingleTupleTableSlot(src);
    if (predicates != nullptr)
        FreeExprContext(predicates, true);
    for (int i = 0; i < n; i++)
        index_close(indexes[i], NoLock);
}

// What the direct path needs of ddl_events' indexes, into `info`; false if one is not plain.
bool plain_indexes(Relation rel, Oid owner, TableInfo *info) {
    List *index_oids = RelationGetIndexList(rel);
    const int count = list_length(index_oids);
    info->index_oids =
        static_cast<Oid *>(MemoryContextAlloc(table_info_context, sizeof(Oid) * (count + 1)));
    info->index_infos = static_cast<IndexInfo **>(
        MemoryContextAlloc(table_info_context, sizeof(IndexInfo *) * (count + 1)));
    ListCell *lc;
    foreach (lc, index_oids) {
        Relation index = index_open(lfirst_oid(lc), RowExclusiveLock);
        MemoryContext caller = MemoryContextSwitchTo(table_info_context);
        IndexInfo *index_info = BuildIndexInfo(index);
        const bool plain = plain_index(index, index_info, owner);
        MemoryContextSwitchTo(caller);
        index_close(index, NoLock);
        if (!plain)
            return false;
        info->index_oids[info->nindexes] = lfirst_oid(lc);
        info->index_infos[info->nindexes] = index_info;
        info->nindexes++;
    }
    return true;
}

// Opens ddl_events and decides between the direct path and SPI. Returns the open relation (the
// caller inserts and closes it) when the direct path applies, nullptr otherwise. What it learns
// is built aside and published whole: an error on the way (a cancel, a predicate) leaves the
// table unknown, never known with some of its indexes.
Relation open_for_direct_insert(Oid relid, Oid owner) {
    Relation rel = table_open(relid, RowExclusiveLock);
    if (!table_info.known || table_info.relid != relid) {
        table_info = TableInfo{};
        if (table_info_context == nullptr)
            table_info_context = AllocSetContextCreate(
                CacheMemoryContext, "migration_guard ddl_events", ALLOCSET_SMALL_SIZES);
        MemoryContextReset(table_info_context);
        building = TableInfo{};
        building.relid = relid;
        building_invalidated = false;
        building.direct = plain_table(rel, &building) && plain_indexes(rel, owner, &building);
        building.known = !building_invalidated;
        table_info = building;
        building = TableInfo{};
    }
    if (table_info.direct)
        return rel;
    table_close(rel, NoLock);
    return nullptr;
}

// The SPI path (see above). $1 migration_id, $2 statement, $3 role, $4 command tag. Every name
// is schema-qualified and every operator spelled OPERATOR(pg_catalog.x): the queries run as the
// extension owner without pinning search_path (see as_owner).
constexpr const char kInsertCommands[] =
    "INSERT INTO migration_guard.ddl_events (migration_id, event, command_tag, object_type, "
    "schema_name, object_identity, classid, objid, objsubid, statement, role, session_role, "
    "backend_pid, txid) "
    "SELECT $1, 'ddl_command_end', c.command_tag, c.object_type, c.schema_name, "
    "c.object_identity, c.classid, c.objid, c.objsubid, $2, $3, session_user, "
    "pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id() "
    "FROM pg_catalog.pg_event_trigger_ddl_commands() c "
    "WHERE NOT c.in_extension "
    "AND (c.schema_name IS NULL OR c.schema_name OPERATOR(pg_catalog.<>) 'pg_temp')";

constexpr const char kInsertDrops[] =
    "INSERT INTO migration_guard.ddl_events (migration_id, event, command_tag, object_type, "
    "schema_name, object_identity, classid, objid, objsubid, statement, role, session_role, "
    "backend_pid, txid) "
    "SELECT $1, 'sql_drop', $4, d.object_type, d.schema_name, d.object_identity, d.classid, "
    "d.objid, d.objsubid, $2, $3, session_user, pg_catalog.pg_backend_pid(), "
    "pg_catalog.pg_current_xact_id() "
    "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
    "WHERE (d.original OR d.normal) AND NOT d.is_temporary";

SPIPlanPtr insert_commands_plan = nullptr;
SPIPlanPtr insert_drops_plan = nullptr;

SPIPlanPtr prepare(const char *sql) {
    Oid types[4] = {INT8OID, TEXTOID, NAMEOID, TEXTOID};
    SPIPlanPtr plan = SPI_prepare(sql, 4, types);
    if (plan == nullptr)
        elog(ERROR, "migration_guard: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    if (SPI_keepplan(plan) != 0)
        elog(ERROR, "migration_guard: SPI_keepplan failed");
    return plan;
}

void insert_with_spi(Oid owner, const RowContext &ctx, bool is_drop) {
    SPIPlanPtr *plan = is_drop ? &insert_drops_plan : &insert_commands_plan;
    Datum values[4] = {ctx.migration_id, ctx.statement, ctx.role, ctx.command_tag};
    char nulls[4] = {ctx.migration_isnull ? 'n' : ' ', ctx.statement_isnull ? 'n' : ' ', ' ', ' '};
    spi_as_owner(
        owner,
        [&] {
            if (*plan == nullptr)
                *plan = prepare(is_drop ? kInsertDrops : kInsertCommands);
            int rc = SPI_execute_plan(*plan, values, nulls, false, 0);
            if (rc != SPI_OK_INSERT)
                elog(ERROR, "migration_guard: recording DDL failed: %s",
                     SPI_result_code_string(rc));
        },
        /* fully_qualified */ true);
}

} // namespace

void write(Oid owner, const RowContext &ctx, const event_source::Result &source, bool is_drop) {
    Oid relid = lock_ddl_events();
    if (!OidIsValid(relid))
        return; // dropped (DROP EXTENSION, DROP SCHEMA ... CASCADE): nothing to record into
    Relation rel = open_for_direct_insert(relid, owner);
    if (rel == nullptr) {
        insert_with_spi(owner, ctx, is_drop);
        return;
    }
    insert_direct(rel, ctx, source, is_drop);
    table_close(rel, NoLock);
}

void install() {
    CacheRegisterRelcacheCallback(on_relcache, (Datum)0);
}

} // namespace mg::pg::event_log
