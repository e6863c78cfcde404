// The parse-tree adapter: PostgreSQL parse trees (Node *) described as core DdlStatements.
//
// Compiled twice — into the extension (trees from the server's raw_parser or an event
// trigger's parse tree) and into the CLI (trees from libpg_query's pg_query_raw_parse, built
// against the server headers of the same major version) — so both see statements alike. It
// reads nodes only through header-only macros and inline functions and calls no PostgreSQL
// function, so it links in both places; it may throw std::bad_alloc (run it inside call_core()).
#pragma once

#include "core/ddl_change.hpp"

struct Node; // PostgreSQL's

namespace mg::pgparse {

// `stmt` is a RawStmt's statement or an event trigger's parse tree. Location/length are left
// for the caller (they come from the RawStmt).
DdlStatement describe(const Node *stmt);

} // namespace mg::pgparse
