#pragma once

namespace mg::pg::ledger {

// GUC migration_guard.max_script_size, in kB.
extern int max_script_size_kb;

} // namespace mg::pg::ledger
