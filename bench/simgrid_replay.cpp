/* simgrid_replay: the schedule net_replay replays, in SimGrid (built only
 * when libsimgrid-dev is installed). Reads RUN_DIR/links.csv and
 * RUN_DIR/messages.csv, builds divshare's network in SimGrid (a star: node
 * i reaches node j through i's uplink and j's downlink, with zero latency
 * so that only bandwidth sharing is timed), and starts every message that
 * began transmitting as a host-to-host communication of its bytes at its
 * started_s. The model is CM02 with every correction factor at 1 (SimGrid's
 * plain max-min). Prints the flows, the CPU seconds of the simulation
 * (building the platform excluded) and how far each flow's end lands from
 * the run's sent_s, relative to its transmission time.
 *
 * usage: simgrid_replay RUN_DIR/ALGORITHM [maxmin_precision [check]]
 * (SimGrid's default precision is 1e-5; 1e-15 makes it compute as
 * exactly as it can.) Without check, the run is timed and the flows' ends
 * are not recorded; with check, they are, and compared. */
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

struct Row {
    double start, sent, bytes, end;
    int src, dst;
};

static std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> f;
    size_t a = 0;
    for (;;) {
        size_t b = line.find(',', a);
        f.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
        if (b == std::string::npos) return f;
        a = b + 1;
    }
}

static bool read_lines(const std::string& path, std::vector<std::string>& out) {
    FILE* in = std::fopen(path.c_str(), "r");
    if (!in) return false;
    char buf[1024];
    while (std::fgets(buf, sizeof buf, in)) {
        std::string s(buf);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        out.push_back(s);
    }
    std::fclose(in);
    return true;
}

static double cpu_now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Field s of path:line as a number in [lo, hi], or false with an error
 * naming it. */
static bool field(const std::string& path, size_t line, const char* what, const std::string& s, double lo, double hi,
                  double& out) {
    char* end;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !(v >= lo && v <= hi)) {
        std::fprintf(stderr, "simgrid_replay: %s:%zu: %s '%s' is not a number in [%g, %g]\n", path.c_str(), line, what,
                     s.c_str(), lo, hi);
        return false;
    }
    out = v;
    return true;
}

int main(int argc, char** argv) {
    if (argc < 2 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "check"))) {
        std::fprintf(stderr, "usage: simgrid_replay RUN_DIR/ALGORITHM [maxmin_precision [check]]\n");
        return 2;
    }
    std::string dir = argv[1];
    std::string precision = argc > 2 ? argv[2] : "1e-5";
    bool check = argc > 3;
    char* end;
    double prec = std::strtod(precision.c_str(), &end);
    if (precision.empty() || *end || !(prec >= 1e-20 && prec <= 1)) {
        std::fprintf(stderr, "simgrid_replay: maxmin_precision '%s' is not a number in [1e-20, 1]\n", precision.c_str());
        return 2;
    }
    std::string links_path = dir + "/links.csv", msgs_path = dir + "/messages.csv";
    std::vector<std::string> links, msgs;
    if (!read_lines(links_path, links) || !read_lines(msgs_path, msgs)) {
        std::fprintf(stderr, "simgrid_replay: cannot read %s and %s\n", links_path.c_str(), msgs_path.c_str());
        return 1;
    }
    std::vector<double> up_bps, down_bps;
    for (size_t i = 1; i < links.size(); i++) { /* line 1 is the header */
        auto f = split(links[i]);
        double id, u, d;
        if (f.size() < 3) {
            std::fprintf(stderr, "simgrid_replay: %s:%zu: a cut or malformed row (node,up_bps,down_bps,...)\n",
                         links_path.c_str(), i + 1);
            return 1;
        }
        double want = (double)up_bps.size();
        if (!field(links_path, i + 1, "node", f[0], want, want, id) || !field(links_path, i + 1, "up_bps", f[1], 1, 1e15, u) ||
            !field(links_path, i + 1, "down_bps", f[2], 1, 1e15, d))
            return 1;
        up_bps.push_back(u);
        down_bps.push_back(d);
    }
    size_t N = up_bps.size();
    if (N < 2) {
        std::fprintf(stderr, "simgrid_replay: %s: fewer than 2 nodes\n", links_path.c_str());
        return 1;
    }
    std::vector<Row> rows;
    for (size_t i = 1; i < msgs.size(); i++) {
        auto f = split(msgs[i]);
        if (f.size() < 12) {
            std::fprintf(stderr, "simgrid_replay: %s:%zu: a cut or malformed row (12 fields expected)\n", msgs_path.c_str(),
                         i + 1);
            return 1;
        }
        if (f[2].empty()) continue; /* never started */
        Row r{0, -1, 0, -1, 0, 0};
        double src, dst;
        if (!field(msgs_path, i + 1, "started_s", f[2], 0, 1e12, r.start) ||
            (!f[3].empty() && !field(msgs_path, i + 1, "sent_s", f[3], r.start, 1e12, r.sent)) ||
            !field(msgs_path, i + 1, "src", f[6], 0, N - 1.0, src) || !field(msgs_path, i + 1, "dst", f[7], 0, N - 1.0, dst) ||
            !field(msgs_path, i + 1, "bytes", f[11], 1, 1e15, r.bytes))
            return 1;
        if (src == dst) {
            std::fprintf(stderr, "simgrid_replay: %s:%zu: src and dst are both node %g\n", msgs_path.c_str(), i + 1, src);
            return 1;
        }
        r.src = (int)src;
        r.dst = (int)dst;
        rows.push_back(r);
    }

    std::vector<std::string> cfg = {"simgrid_replay", "--log=root.thres:critical", "--cfg=network/model:CM02",
                                    "--cfg=network/latency-factor:1", "--cfg=network/bandwidth-factor:1",
                                    "--cfg=network/weight-S:0", "--cfg=network/crosstraffic:0",
                                    "--cfg=maxmin/precision:" + precision,
                                    "--cfg=surf/precision:" + std::string(prec < 1e-9 ? precision : "1e-9")};
    std::vector<char*> args;
    for (auto& a : cfg) args.push_back(a.data());
    int ac = (int)args.size();
    sg4::Engine e(&ac, args.data());

    auto* zone = sg4::create_full_zone("star");
    std::vector<sg4::Host*> hosts;
    std::vector<sg4::Link*> up, down;
    for (size_t i = 0; i < N; i++) {
        std::string id = std::to_string(i);
        hosts.push_back(zone->create_host("n" + id, 1e9));
        up.push_back(zone->create_link("up" + id, up_bps[i] / 8)->set_latency(0)->seal());
        down.push_back(zone->create_link("down" + id, down_bps[i] / 8)->set_latency(0)->seal());
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            if (i != j)
                zone->add_route(hosts[i]->get_netpoint(), hosts[j]->get_netpoint(), nullptr, nullptr,
                                {sg4::LinkInRoute(up[i]), sg4::LinkInRoute(down[j])}, false);
    zone->seal();

    std::vector<size_t> order(rows.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a].start < rows[b].start; });

    /* The driver starts each flow at its time. To check the replay it also
     * takes, in between, the flows that end (wait_any_for returns as one
     * completes, at its time); that bookkeeping is the driver's, not the
     * model's, so the timed run leaves it out and waits for all at the end. */
    sg4::Actor::create("driver", hosts[0], [&]() {
        if (!check) {
            std::vector<sg4::CommPtr> comms;
            for (size_t k : order) {
                if (rows[k].start > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(rows[k].start);
                comms.push_back(sg4::Comm::sendto_async(hosts[rows[k].src], hosts[rows[k].dst], (uint64_t)rows[k].bytes));
            }
            sg4::Comm::wait_all(comms);
            return;
        }
        std::vector<sg4::CommPtr> active;
        std::vector<size_t> row_of;
        size_t next = 0;
        while (next < order.size() || !active.empty()) {
            double now = sg4::Engine::get_clock();
            while (next < order.size() && rows[order[next]].start <= now) {
                size_t k = order[next++];
                active.push_back(sg4::Comm::sendto_async(hosts[rows[k].src], hosts[rows[k].dst], (uint64_t)rows[k].bytes));
                row_of.push_back(k);
            }
            double timeout = next < order.size() ? rows[order[next]].start - now : -1;
            if (active.empty()) {
                sg4::this_actor::sleep_until(rows[order[next]].start);
                continue;
            }
            ssize_t i = sg4::Comm::wait_any_for(active, timeout);
            if (i < 0) continue;
            rows[row_of[(size_t)i]].end = sg4::Engine::get_clock();
            active[(size_t)i] = active.back();
            active.pop_back();
            row_of[(size_t)i] = row_of.back();
            row_of.pop_back();
        }
    });
    double t0 = cpu_now();
    e.run();
    double cpu = cpu_now() - t0;
    double worst = 0;
    size_t compared = 0;
    for (auto& r : rows) {
        if (r.sent < 0) continue;
        double dt = r.sent - r.start;
        double d = std::fabs(r.end - r.sent) / (dt > 0 ? dt : 1e-12);
        if (!(d <= worst)) worst = d;
        compared++;
    }
    if (!check)
        std::printf("simgrid %d.%d (precision %s) %zu flows on %zu nodes: %.3f s CPU\n", SIMGRID_VERSION_MAJOR,
                    SIMGRID_VERSION_MINOR, precision.c_str(), rows.size(), N, cpu);
    else
        std::printf("simgrid %d.%d (precision %s) %zu flows on %zu nodes: end of transmission vs the run's sent_s:"
                    " largest difference %.1e of the transmission time (%zu flows)\n",
                    SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, precision.c_str(), rows.size(), N, worst, compared);
    return 0;
}
