#include "vfo/runtime/live_migration.hpp"

#include <nlohmann/json.hpp>

namespace vfo::runtime {

std::string migration_report_json(const MigrationReport& r) {
  nlohmann::json rounds = nlohmann::json::array();
  for (const MigrationRound& round : r.rounds) rounds.push_back({{"bytes", round.bytes}, {"seconds", round.seconds}});
  nlohmann::json j = {{"ok", r.ok()},
                      {"rounds", rounds},
                      {"state_bytes", r.state_bytes},
                      {"start_ns", r.start_ns},
                      {"freeze_ns", r.freeze_ns},
                      {"restored_ns", r.restored_ns},
                      {"source_digest", r.source_digest},
                      {"target_digest", r.target_digest}};
  if (!r.ok()) j["error"] = r.error;
  return j.dump();
}

std::optional<MigrationReport> parse_migration_report(const std::string& json, std::string* why) {
  try {
    const nlohmann::json j = nlohmann::json::parse(json);
    MigrationReport r;
    r.error = j.value("error", std::string());
    if (!j.value("ok", false) && r.error.empty()) r.error = "failed (no reason given)";
    for (const auto& round : j.at("rounds")) {
      r.rounds.push_back({round.at("bytes").get<std::uint64_t>(), round.at("seconds").get<double>()});
    }
    r.state_bytes = j.at("state_bytes").get<std::uint64_t>();
    r.start_ns = j.at("start_ns").get<std::int64_t>();
    r.freeze_ns = j.at("freeze_ns").get<std::int64_t>();
    r.restored_ns = j.at("restored_ns").get<std::int64_t>();
    r.source_digest = j.at("source_digest").get<std::uint64_t>();
    r.target_digest = j.at("target_digest").get<std::uint64_t>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    if (why != nullptr) *why = std::string("migration report: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace vfo::runtime
