// The subcommands of `gazette`, one file each. Each returns an exit code (see cli.hpp).
#pragma once

#include "publisher/contract/contract.hpp"
#include "publisher/http/server.hpp"
#include "publisher/store/store.hpp"
#include "tools/gazette/cli.hpp"

namespace gazette::cli {

int cmd_init(const Invocation& inv);
int cmd_key_generate(const Invocation& inv);
int cmd_key_rotate(const Invocation& inv);
int cmd_dataset_create(const Invocation& inv);
int cmd_dataset_list(const Invocation& inv);
int cmd_stage(const Invocation& inv);
int cmd_release(const Invocation& inv);
int cmd_history(const Invocation& inv);
int cmd_fsck(const Invocation& inv);
int cmd_as_of(const Invocation& inv);
int cmd_demo(const Invocation& inv);
int cmd_serve(const Invocation& inv);
int cmd_diff(const Invocation& inv);
int cmd_record(const Invocation& inv);
int cmd_verify(const Invocation& inv);
int cmd_export(const Invocation& inv);
int cmd_notice_add(const Invocation& inv);
int cmd_notice_list(const Invocation& inv);
int cmd_candidate_list(const Invocation& inv);
int cmd_rollback(const Invocation& inv);
int cmd_mirror(const Invocation& inv);
// Reads the --notice and --plan files of `verify` and `release`.
// The contract candidate `candidate` was staged under (a new version it brings, else the
// dataset's): notices and plans for it are read against that.
Result<Contract> contract_for_candidate(Store& store, const std::string& dataset, const std::string& candidate);
Status read_gate_files(const Invocation& inv, const Contract& contract, std::vector<Notice>& notices,
                       std::optional<Plan>& plan);

// Server flags shared by `serve` and `demo`; a Status with an empty message was reported.
Result<http::ServerOptions> server_options(const Invocation& inv);
// Runs the server until SIGINT/SIGTERM; prints `banner` and the URLs to try once listening.
int serve(const Invocation& inv, const http::ServerOptions& options, const std::string& banner);

}  // namespace gazette::cli
