#pragma once

// `spawnai` without a command: the desktop control panel. Returns the exit code.
namespace Gui {
int run(int &argc, char **argv);
}
