#pragma once

// Fault injection for the crash tests (reliability.md §7): when $SPAWNAI_CRASH_AT names this point, the
// process dies on the spot with _exit(137), as if killed, so tests can check what a restart recovers.
void crashPoint(const char *name);
