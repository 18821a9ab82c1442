#include "vfo/util/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace vfo {

void start_log(const std::string& name, bool to_stderr) {
  auto logger = to_stderr ? spdlog::stderr_logger_mt(name) : spdlog::stdout_logger_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %n: %v", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace vfo
