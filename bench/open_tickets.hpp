// Open tickets for the memory benchmarks: `pqr.filed` raw records (design.md §4) that no
// answer follows, shaped like the simulator's (sim/writer.cpp): ticket ids R<year>-<n>,
// event ids pqr-<ticket>-f, the six offices, the kind and channel mix, a subscriber, a
// service and a causal on most tickets. Filings are spread over 2024 in office hours.
//
// Shared by core_bench (IndicatorState bytes per ticket, in-process) and pipeline_bench
// (metrics' RSS per open ticket), so both measure the same tickets.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace pqrflow::bench {

struct OpenTicket {
  std::string key;   // ticket id, the Kafka key
  std::string json;  // the raw pqr.filed record
};

// The i-th open ticket (i ≥ 0); deterministic.
inline OpenTicket open_ticket(std::uint64_t i) {
  static constexpr std::array<std::string_view, 6> kOffices = {"Centro",  "Norte",     "Sur",
                                                               "Oriente", "Occidente", "Rural"};
  // Roughly the simulator's mix: peticiones and reclamos dominate.
  static constexpr std::array<std::string_view, 10> kKinds = {"peticion",
                                                              "peticion",
                                                              "peticion",
                                                              "reclamo",
                                                              "reclamo",
                                                              "reclamo",
                                                              "queja",
                                                              "queja",
                                                              "recurso_reposicion",
                                                              "solicitud_informacion"};
  static constexpr std::array<std::string_view, 6> kChannels = {
      "ventanilla", "telefono", "escrito", "web", "correo", "redes_sociales"};
  static constexpr std::array<std::string_view, 8> kCausales = {"101", "102", "103", "105",
                                                                "201", "204", "301", "310"};
  // A cheap deterministic scramble so neighbouring tickets differ in every attribute.
  std::uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ULL;
  h ^= h >> 29;
  const auto pick = [&h](std::uint64_t n) {
    h = h * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((h >> 33) % n);
  };
  // 2024-01-02 .. 2024-12-27, business hours; the day never makes a bad date.
  const int month = 1 + static_cast<int>(pick(12));
  const int day = 2 + static_cast<int>(pick(26));
  const int hour = 8 + static_cast<int>(pick(9));
  const int minute = static_cast<int>(pick(60));
  char ticket[32];
  std::snprintf(ticket, sizeof ticket, "R2024-%07llu", static_cast<unsigned long long>(i + 1));
  char at[40];
  std::snprintf(at, sizeof at, "2024-%02d-%02dT%02d:%02d:00-05:00", month, day, hour, minute);
  OpenTicket t;
  t.key = ticket;
  t.json.reserve(320);
  t.json += R"({"event_id":"pqr-)";
  t.json += ticket;
  t.json += R"(-f","type":"pqr.filed","occurred_at":")";
  t.json += at;
  t.json += R"(","source":"sgc","ticket_id":")";
  t.json += ticket;
  t.json += R"(","kind":")";
  t.json += kKinds[pick(kKinds.size())];
  t.json += R"(","channel":")";
  t.json += kChannels[pick(kChannels.size())];
  t.json += '"';
  if (pick(10) < 9) {
    char subscriber[16];
    std::snprintf(subscriber, sizeof subscriber, "S%07zu", 1 + pick(400000));
    t.json += R"(,"subscriber_id":")";
    t.json += subscriber;
    t.json += '"';
  }
  if (pick(10) < 8)
    t.json += pick(3) == 0 ? R"(,"service":"alcantarillado")" : R"(,"service":"acueducto")";
  if (pick(10) < 8) {
    t.json += R"(,"causal":")";
    t.json += kCausales[pick(kCausales.size())];
    t.json += '"';
  }
  t.json += R"(,"office":")";
  t.json += kOffices[pick(kOffices.size())];
  t.json += "\"}";
  return t;
}

}  // namespace pqrflow::bench
