// The subcommands of `gazette`, one file each. Each returns an exit code (see cli.hpp).
#pragma once

#include "tools/gazette/cli.hpp"

namespace gazette::cli {

int cmd_init(const Invocation& inv);
int cmd_dataset_create(const Invocation& inv);
int cmd_dataset_list(const Invocation& inv);
int cmd_stage(const Invocation& inv);
int cmd_release(const Invocation& inv);
int cmd_history(const Invocation& inv);
int cmd_as_of(const Invocation& inv);
int cmd_demo(const Invocation& inv);

}  // namespace gazette::cli
