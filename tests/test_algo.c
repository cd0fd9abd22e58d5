/* test_algo.c: the algorithms against a mock runtime that records what
 * they ask for (trainings, messages, flushes). */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "algo/algo.h"
#include "algo/graph.h"
#include "algo/inbox.h"
#include "algo/topology.h"
#include "check.h"

#define N_NODES 8
#define N_PARAMS 103

typedef struct mock {
    float params[N_NODES][N_PARAMS];
    algo_msg *sent[4096];
    int n_sent;
    int trains, cancels;
} mock;

static double m_now(void *ctx) { (void)ctx; return 0; }
static void m_train(void *ctx, int node, int steps) { (void)node; (void)steps; ((mock *)ctx)->trains++; }
static void m_send(void *ctx, algo_msg *m) {
    mock *k = ctx;
    if (k->n_sent < 4096) k->sent[k->n_sent++] = m;
    else algo_msg_free(m);
}
static int m_cancel(void *ctx, int node) { (void)node; ((mock *)ctx)->cancels++; return 0; }
static float *m_params(void *ctx, int node) { return ((mock *)ctx)->params[node]; }
static void m_fail(void *ctx, const char *why) {
    (void)ctx;
    printf("NOT OK: the algorithm failed: %s\n", why); /* no allocation fails in these tests */
    exit(1);
}

static void mock_clear(mock *k) {
    for (int i = 0; i < k->n_sent; i++) algo_msg_free(k->sent[i]);
    k->n_sent = 0;
}

static algo_config cfg(int degree) {
    algo_config c = {.nodes = N_NODES, .n_params = N_PARAMS, .degree = degree, .local_steps = 16, .chunk_fraction = 0.1, .flush_stale = 1, .redraw = 0, .seed = 42, .graph_file = NULL};
    return c;
}

static void test_divshare(void) {
    mock k = {0};
    algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
    const algo_ops *ops = algo_find("divshare");
    algo_config c = cfg(3);
    ds_err err;
    void *sh, *node[N_NODES];
    CHECK(ops && ops->shared_new(&sh, &c, &err) == 0, "divshare shared");
    for (int i = 0; i < N_NODES; i++) ops->node_new(&node[i], &c, sh, i, &err);
    for (int i = 0; i < N_NODES; i++)
        for (int p = 0; p < N_PARAMS; p++) k.params[i][p] = (float)(i * 1000 + p);

    ops->on_start(node[0], &rt);
    CHECK(k.trains == 1, "on_start trains");
    ops->on_train_done(node[0], &rt);
    /* Omega = round(1/0.1) = 10 fragments x 3 peers = 30 messages; every
     * parameter in exactly one fragment; fragments go to 3 distinct peers. */
    CHECK(k.n_sent == 30 && k.cancels == 1 && k.trains == 2, "30 fragments sent after one flush: %d", k.n_sent);
    int covered[N_PARAMS] = {0}, per_frag[10] = {0}, ok = 1;
    int peers_of[10][N_NODES] = {{0}};
    for (int i = 0; i < k.n_sent; i++) {
        const algo_msg *m = k.sent[i];
        ok &= m->kind == MSG_FRAGMENT && m->src == 0 && m->dst != 0 && m->fragment < 10 && m->round == 1;
        ok &= algo_msg_bytes(m) == ALGO_HEADER_BYTES + 4 * m->count;
        if (m->fragment >= 10) continue;
        if (!per_frag[m->fragment]++)
            for (size_t j = 0; j < m->count; j++) covered[m->index[j]]++;
        ok &= !peers_of[m->fragment][m->dst]++;
        ok &= algo_msg_value(m, 0) == (float)m->index[0]; /* node 0's values */
    }
    /* Each fragment travels as its values alone (packed), in index order;
     * the copies of a fragment share them. */
    int packed = 1;
    for (int i = 0; i < k.n_sent; i++) {
        const algo_msg *m = k.sent[i];
        packed &= m->packed && m->snap->n == m->count;
        for (size_t j = 0; packed && j < m->count; j++) packed &= m->snap->values[j] == (float)m->index[j];
        for (int o = 0; o < i; o++) packed &= (k.sent[o]->fragment == m->fragment) == (k.sent[o]->snap == m->snap);
    }
    CHECK(packed, "fragments are sent packed, one snapshot per fragment");
    int once = 1;
    for (int p = 0; p < N_PARAMS; p++) once &= covered[p] == 1;
    CHECK(ok, "fragment messages well formed, distinct peers per fragment");
    CHECK(once, "every parameter in exactly one fragment");
    /* The order is shuffled, not fragment by fragment. */
    int sorted = 1;
    for (int i = 1; i < k.n_sent; i++) sorted &= k.sent[i]->fragment >= k.sent[i - 1]->fragment;
    CHECK(!sorted, "(peer, fragment) list is shuffled");

    /* Aggregation at node 5: fragment f0 from nodes 0 and 1, f1 from 0. */
    algo_msg *from0 = NULL, *from0b = NULL;
    for (int i = 0; i < k.n_sent && (!from0 || !from0b); i++) {
        if (!from0) from0 = k.sent[i];
        else if (k.sent[i]->fragment != from0->fragment) from0b = k.sent[i];
    }
    ops->on_message(node[5], &rt, from0);
    ops->on_message(node[5], &rt, from0b);
    int n0 = k.n_sent;
    ops->on_train_done(node[1], &rt); /* node 1's fragments */
    algo_msg *from1 = NULL;
    for (int i = n0; i < k.n_sent; i++)
        if (k.sent[i]->fragment == from0->fragment) { from1 = k.sent[i]; break; }
    ops->on_message(node[5], &rt, from1);
    /* An older copy from node 1 must not replace the newer one. */
    algo_msg old = *from1;
    old.round = 0;
    ops->on_message(node[5], &rt, &old);
    float before[N_PARAMS];
    memcpy(before, k.params[5], sizeof before);
    ops->on_train_done(node[5], &rt);
    int avg_ok = 1;
    for (size_t j = 0; j < from0->count; j++) {
        uint32_t p = from0->index[j];
        float want = (before[p] + (float)(0 * 1000 + p) + (float)(1 * 1000 + p)) / 3.0f;
        avg_ok &= fabsf(k.params[5][p] - want) < 1e-3f;
    }
    for (size_t j = 0; j < from0b->count; j++) {
        uint32_t p = from0b->index[j];
        avg_ok &= fabsf(k.params[5][p] - (before[p] + (float)p) / 2.0f) < 1e-3f;
    }
    int untouched = 1;
    for (int p = 0; p < N_PARAMS; p++) {
        int in_any = 0;
        for (size_t j = 0; j < from0->count; j++) in_any |= from0->index[j] == (uint32_t)p;
        for (size_t j = 0; j < from0b->count; j++) in_any |= from0b->index[j] == (uint32_t)p;
        if (!in_any) untouched &= k.params[5][p] == before[p];
    }
    CHECK(avg_ok, "per-parameter average = (own + copies) / (1 + copies)");
    CHECK(untouched, "parameters without copies keep their value");
    const algo_counters *cnt = ops->counters(node[5]);
    CHECK(cnt->applied == 3 && cnt->rounds == 1, "3 items applied: %llu", (unsigned long long)cnt->applied);

    /* A fragment as the real runtime decodes it (payload values in order,
     * indices from fragment_index) averages exactly like the original. */
    size_t fcount = 0;
    const uint32_t *fidx = ops->fragment_index(sh, from0->fragment, &fcount);
    CHECK(fidx == from0->index && fcount == from0->count, "fragment_index matches the sender's fragment");
    CHECK(ops->fragment_index(sh, 10, &fcount) == NULL, "fragment_index rejects id 10 of 10");
    float payload[N_PARAMS];
    for (size_t j = 0; j < fcount; j++) payload[j] = algo_msg_value(from0, j);
    model_snapshot *ps = snapshot_new(payload, fcount);
    algo_msg *pm = algo_msg_new(MSG_FRAGMENT, from0->src, 6, from0->round, ps);
    snapshot_unref(ps);
    pm->fragment = from0->fragment;
    pm->index = fidx;
    pm->packed = 1;
    CHECK(algo_msg_value(pm, 3) == algo_msg_value(from0, 3), "packed message values in payload order");
    memcpy(before, k.params[6], sizeof before);
    ops->on_message(node[6], &rt, pm);
    algo_msg_free(pm);
    ops->on_train_done(node[6], &rt);
    int packed_ok = 1;
    for (size_t j = 0; j < fcount; j++) {
        uint32_t p = fidx[j];
        packed_ok &= fabsf(k.params[6][p] - (before[p] + (float)p) / 2.0f) < 1e-3f;
    }
    CHECK(packed_ok, "a packed fragment averages into the right parameters");

    /* Without flush_stale, no cancel. */
    algo_config c2 = cfg(3);
    c2.flush_stale = 0;
    void *nf;
    ops->node_new(&nf, &c2, sh, 2, &err);
    k.cancels = 0;
    ops->on_train_done(nf, &rt);
    CHECK(k.cancels == 0, "flush_stale = false never cancels");
    ops->node_free(nf);
    mock_clear(&k);
    for (int i = 0; i < N_NODES; i++) ops->node_free(node[i]);
    ops->shared_free(sh);
}

static void test_adpsgd_swift(void) {
    mock k = {0};
    algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
    ds_err err;
    algo_config c = cfg(6);
    const algo_ops *ad = algo_find("adpsgd"), *sw = algo_find("swift");
    void *a0, *a3, *s0, *sh;
    ad->shared_new(&sh, &c, &err);
    ad->node_new(&a0, &c, sh, 0, &err);
    ad->node_new(&a3, &c, sh, 3, &err);
    for (int p = 0; p < N_PARAMS; p++) {
        k.params[0][p] = 1;
        k.params[3][p] = 4;
    }
    ad->on_train_done(a0, &rt);
    CHECK(k.n_sent == 3 && k.sent[0]->kind == MSG_PING && k.sent[0]->count == N_PARAMS && k.cancels == 0,
          "AD-PSGD pings degree/2 = 3 peers with the full model, no flush");
    algo_msg ping = *k.sent[0];
    ping.dst = 3;
    ad->on_message(a3, &rt, &ping);
    CHECK(k.n_sent == 4 && k.sent[3]->kind == MSG_PONG && k.sent[3]->dst == 0 && algo_msg_value(k.sent[3], 0) == 4.0f,
          "a ping is answered with the current model");
    ad->on_message(a3, &rt, &ping);
    CHECK(k.n_sent == 5 && k.sent[4]->kind == MSG_PONG && k.sent[4]->snap == k.sent[3]->snap,
          "pongs of one round share one snapshot of the model");
    ad->on_message(a0, &rt, k.sent[3]);
    ad->on_train_done(a0, &rt);
    CHECK(fabsf(k.params[0][7] - 2.5f) < 1e-6f, "AD-PSGD averages the reply: (1 + 4) / 2");
    ad->on_train_done(a3, &rt);
    CHECK(fabsf(k.params[3][7] - 2.5f) < 1e-6f, "and the pinged node averages the ping");
    ad->on_message(a3, &rt, &ping);
    CHECK(k.n_sent == 12 && k.sent[11]->kind == MSG_PONG && k.sent[11]->snap != k.sent[3]->snap &&
              algo_msg_value(k.sent[11], 7) == 2.5f,
          "the next round's pong carries the next round's model: %g", (double)algo_msg_value(k.sent[11], 7));
    mock_clear(&k);
    sw->node_new(&s0, &c, NULL, 0, &err);
    sw->on_train_done(s0, &rt);
    int distinct = 1;
    for (int i = 0; i < k.n_sent; i++)
        for (int j = 0; j < i; j++) distinct &= k.sent[i]->dst != k.sent[j]->dst;
    CHECK(k.n_sent == 6 && k.sent[0]->kind == MSG_MODEL && distinct, "Swift sends to degree = 6 distinct peers");
    mock_clear(&k);
    ad->node_free(a0);
    ad->node_free(a3);
    sw->node_free(s0);
    ad->shared_free(sh);
}

static void test_checks(void) {
    ds_err err;
    algo_config c = cfg(8);
    CHECK(algo_config_check("divshare", &c, &err) != 0 && strstr(err.msg, "degree = 8"), "degree >= nodes: %s", err.msg);
    c = cfg(3);
    c.chunk_fraction = 1.5;
    CHECK(algo_config_check("divshare", &c, &err) != 0 && strstr(err.msg, "chunk_fraction"), "chunk_fraction: %s", err.msg);
    CHECK(algo_config_check("nosuch", &c, &err) != 0 && strstr(err.msg, "unknown algorithm 'nosuch'"), "unknown: %s", err.msg);
    rng r;
    rng_seed(&r, 1);
    int peers[7], ok = 1;
    for (int t = 0; t < 100; t++) {
        algo_pick_peers(&r, 8, 3, 7, peers);
        int seen[8] = {0};
        for (int i = 0; i < 7; i++) ok &= peers[i] != 3 && !seen[peers[i]]++;
    }
    CHECK(ok, "pick_peers: distinct, never self, all 7 others");
}

/* D-PSGD on 3 nodes with degree 2 (a triangle): Metropolis-Hastings
 * weights are all 1/3, so after one exchange every model is the average
 * of the three: (1 + 4 + 7) / 3 = 4. A node waits for both neighbours. */
static void test_dpsgd(void) {
    mock k = {0};
    algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
    ds_err err;
    algo_config c = {.nodes = 3, .n_params = N_PARAMS, .degree = 2, .local_steps = 16, .chunk_fraction = 0.1, .flush_stale = 1, .redraw = 0, .seed = 42, .graph_file = NULL};
    const algo_ops *ops = algo_find("dpsgd");
    void *sh, *node[3];
    CHECK(ops && ops->shared_new(&sh, &c, &err) == 0, "dpsgd graph: %s", err.msg);
    for (int i = 0; i < 3; i++) {
        ops->node_new(&node[i], &c, sh, i, &err);
        for (int p = 0; p < N_PARAMS; p++) k.params[i][p] = (float)(1 + 3 * i);
    }
    for (int i = 0; i < 3; i++) ops->on_train_done(node[i], &rt);
    CHECK(k.n_sent == 6 && k.trains == 0, "each node sends to its 2 neighbours and waits");
    int n_sent = k.n_sent;
    ops->on_message(node[0], &rt, k.sent[0]->dst == 0 ? k.sent[0] : k.sent[2]); /* one of two */
    CHECK(k.trains == 0, "one neighbour is not enough");
    for (int i = 0; i < n_sent; i++) {
        algo_msg *m = k.sent[i];
        if (m->dst == 0 && m->src == (k.sent[0]->dst == 0 ? k.sent[0] : k.sent[2])->src) continue;
        ops->on_message(node[m->dst], &rt, m);
    }
    CHECK(k.trains == 3, "all three advance to round 2");
    int ok = 1;
    for (int i = 0; i < 3; i++) ok &= fabsf(k.params[i][5] - 4.0f) < 1e-5f;
    CHECK(ok, "MH average (1 + 4 + 7) / 3 = 4 on every node");
    mock_clear(&k);
    for (int i = 0; i < 3; i++) ops->node_free(node[i]);
    ops->shared_free(sh);
    algo_config odd = {.nodes = 5, .n_params = N_PARAMS, .degree = 3, .local_steps = 16, .chunk_fraction = 0.1, .flush_stale = 1, .redraw = 0, .seed = 42, .graph_file = NULL};
    CHECK(ops->shared_new(&sh, &odd, &err) != 0 && strstr(err.msg, "even"), "5 x 3 has no regular graph: %s", err.msg);
}

/* EL-Local on 3 nodes, degree 1: each node sends its model to one peer and
 * a notice to the other, and advances only with a round-1 message from
 * both; then it averages itself with the models it got. */
static void test_el(void) {
    mock k = {0};
    algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
    ds_err err;
    algo_config c = {.nodes = 3, .n_params = N_PARAMS, .degree = 1, .local_steps = 16, .chunk_fraction = 0.1, .flush_stale = 1, .redraw = 0, .seed = 7, .graph_file = NULL};
    const algo_ops *ops = algo_find("el");
    void *node[3];
    for (int i = 0; i < 3; i++) {
        ops->node_new(&node[i], &c, NULL, i, &err);
        for (int p = 0; p < N_PARAMS; p++) k.params[i][p] = (float)(10 * i);
    }
    for (int i = 0; i < 3; i++) ops->on_train_done(node[i], &rt);
    int models = 0, notices = 0;
    for (int i = 0; i < k.n_sent; i++) {
        models += k.sent[i]->kind == MSG_MODEL;
        notices += k.sent[i]->kind == MSG_NOTICE && algo_msg_bytes(k.sent[i]) == ALGO_HEADER_BYTES;
    }
    CHECK(models == 3 && notices == 3 && k.trains == 0, "one model + one header-only notice each, then wait");
    /* Expected: node i averages itself with the models sent to it. */
    float want[3];
    int cnt[3] = {1, 1, 1};
    for (int i = 0; i < 3; i++) want[i] = k.params[i][0];
    for (int i = 0; i < k.n_sent; i++)
        if (k.sent[i]->kind == MSG_MODEL) {
            want[k.sent[i]->dst] += k.params[k.sent[i]->src][0];
            cnt[k.sent[i]->dst]++;
        }
    int n_sent = k.n_sent;
    for (int i = 0; i < n_sent; i++) ops->on_message(node[k.sent[i]->dst], &rt, k.sent[i]);
    int ok = k.trains == 3;
    for (int i = 0; i < 3; i++) ok &= fabsf(k.params[i][0] - want[i] / cnt[i]) < 1e-5f;
    CHECK(ok, "EL advances with all messages and averages equal weights");
    mock_clear(&k);
    for (int i = 0; i < 3; i++) ops->node_free(node[i]);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* Graph files: decentralizepy's edges format and its errors; D-PSGD's
 * Metropolis-Hastings weights on a star (centre 0 with leaves 1, 2, 3):
 * w_0j = 1/(1+3) = 1/4 for all, leaves keep 3/4 of their own. With
 * x = 0, 4, 8, 12: centre -> (0+4+8+12)/4 = 6; leaf 1 -> 3/4*4 + 1/4*0 = 3. */
static void test_graph(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/divshare-graph-%d.txt", (int)getpid());
    ds_err err;
    graph g;
    write_text(path, "4\n0 1\n0 2\n\n0 3\n1 0\n");
    CHECK(graph_read_edges(path, 4, &g, &err) == 0 && graph_degree(&g, 0) == 3 && graph_degree(&g, 1) == 1,
          "edges file (duplicate edge dropped): %s", err.msg);
    graph_free(&g);
    write_text(path, "5\n0 1\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, ":1: graph has 5 nodes but the experiment has 4"), "count: %s", err.msg);
    write_text(path, "4\n0 1\n2 9\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, ":3: edge 2 9") && strstr(err.msg, "[0, 3]"), "range: %s", err.msg);
    write_text(path, "4\n0 1\n2 x\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, ":3: expected an edge"), "syntax: %s", err.msg);
    write_text(path, "4\n1 1\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, "self-loop"), "loop: %s", err.msg);
    /* Ids beyond 32 bits are out of range, not wrapped (4294967297 was read as 1). */
    write_text(path, "4\n0 4294967297\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, ":2: edge 0 4294967297"), "wrap: %s", err.msg);
    write_text(path, "4294967300\n0 1\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, ":1: expected the number of nodes"), "count wrap: %s", err.msg);
    write_text(path, "4\n0 1 2\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, ":2: expected an edge"), "three ids: %s", err.msg);
    CHECK(graph_read_edges("/tmp", 4, &g, &err) != 0 && strstr(err.msg, "/tmp: is a directory"), "directory: %s", err.msg);
    CHECK(graph_read_edges("/dev/zero", 4, &g, &err) != 0 && strstr(err.msg, "larger than the limit"), "device: %s", err.msg);
    write_text(path, "4\n0 1\n0 2\n");
    CHECK(graph_read_edges(path, 4, &g, &err) != 0 && strstr(err.msg, "node 3 has no neighbour"), "isolated: %s", err.msg);
    CHECK(graph_random_regular(10, 3, 1, &g, &err) == 0, "random 3-regular on 10: %s", err.msg);
    int regular = 1;
    for (int v = 0; v < 10; v++) regular &= graph_degree(&g, v) == 3;
    CHECK(regular, "every degree is 3");
    graph_free(&g);
    /* Few nodes, high degree: the pairing model almost never draws a simple
     * graph (it failed on every seed for 6-regular on 16 nodes); the swap
     * chain still gives a simple, randomised d-regular graph. */
    int all_ok = 1, randomised = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        int rc = graph_random_regular(16, 6, seed, &g, &err);
        all_ok &= rc == 0;
        if (rc) continue;
        for (int v = 0; v < 16; v++) all_ok &= graph_degree(&g, v) == 6;
        /* not the circulant 0 ~ 1, 2, 3, 13, 14, 15 */
        randomised |= !(g.adj[g.start[0]] == 1 && g.adj[g.start[0] + 2] == 3 && g.adj[g.start[0] + 5] == 15);
        graph_free(&g);
    }
    CHECK(all_ok, "6-regular on 16 nodes, seeds 1-8: %s", err.msg);
    CHECK(randomised, "the swap chain moves away from the circulant start");
    CHECK(graph_random_regular(8, 7, 1, &g, &err) == 0 && graph_degree(&g, 0) == 7 && graph_degree(&g, 7) == 7,
          "7-regular on 8 nodes (complete): %s", err.msg);
    graph_free(&g);
    /* Exhaustive for small graphs: whenever one exists (n d even, d < n),
     * a simple d-regular graph is drawn, for two seeds each. */
    int exhaustive_ok = 1, cases = 0;
    for (int nn = 2; nn <= 14; nn++)
        for (int dd = 1; dd < nn; dd++) {
            if ((nn * dd) % 2) continue;
            for (uint64_t seed = 1; seed <= 2; seed++) {
                cases++;
                if (graph_random_regular(nn, dd, seed, &g, &err)) {
                    exhaustive_ok = 0;
                    printf("no %d-regular graph on %d nodes (seed %llu): %s\n", dd, nn, (unsigned long long)seed, err.msg);
                    continue;
                }
                for (int v = 0; v < nn; v++) exhaustive_ok &= graph_degree(&g, v) == dd;
                graph_free(&g);
            }
        }
    CHECK(exhaustive_ok, "every d-regular graph that exists for n <= 14 is drawn (%d cases)", cases);
    CHECK(graph_random_regular(12, 9, 3, &g, &err) == 0, "9-regular on 12 nodes: %s", err.msg);
    regular = 1;
    for (int v = 0; v < 12; v++) regular &= graph_degree(&g, v) == 9;
    CHECK(regular, "every degree is 9");
    graph_free(&g);

    write_text(path, "4\n0 1\n0 2\n0 3\n");
    mock k = {0};
    algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
    algo_config c = {.nodes = 4, .n_params = N_PARAMS, .degree = 2, .local_steps = 16, .chunk_fraction = 0.1, .flush_stale = 1, .redraw = 0, .seed = 1, .graph_file = path};
    const algo_ops *ops = algo_find("dpsgd");
    void *sh, *node[4];
    CHECK(algo_config_check("dpsgd", &c, &err) == 0 && ops->shared_new(&sh, &c, &err) == 0, "star graph: %s", err.msg);
    for (int i = 0; i < 4; i++) {
        ops->node_new(&node[i], &c, sh, i, &err);
        for (int p = 0; p < N_PARAMS; p++) k.params[i][p] = (float)(4 * i);
    }
    for (int i = 0; i < 4; i++) ops->on_train_done(node[i], &rt);
    int n_sent = k.n_sent;
    for (int i = 0; i < n_sent; i++) ops->on_message(node[k.sent[i]->dst], &rt, k.sent[i]);
    CHECK(k.trains == 4 && fabsf(k.params[0][3] - 6.0f) < 1e-5f && fabsf(k.params[1][3] - 3.0f) < 1e-5f &&
              fabsf(k.params[3][3] - 9.0f) < 1e-5f,
          "MH weights on a star: %g %g %g", k.params[0][3], k.params[1][3], k.params[3][3]);
    mock_clear(&k);
    for (int i = 0; i < 4; i++) ops->node_free(node[i]);
    ops->shared_free(sh);
    unlink(path);
}

/* Redraw: each round's fragments use a new permutation, still covering
 * every parameter exactly once; averaging counts copies per parameter. */
static void test_redraw(void) {
    mock k = {0};
    algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
    const algo_ops *ops = algo_find("divshare");
    algo_config c = cfg(1);
    c.redraw = 1;
    ds_err err;
    void *sh, *a, *b;
    ops->shared_new(&sh, &c, &err);
    ops->node_new(&a, &c, sh, 0, &err);
    ops->node_new(&b, &c, sh, 1, &err);
    ops->on_train_done(a, &rt);
    uint32_t first0 = k.sent[0]->index[0];
    int f0 = (int)k.sent[0]->fragment;
    int covered[N_PARAMS] = {0}, once = 1;
    for (int i = 0; i < k.n_sent; i++)
        for (size_t j = 0; j < k.sent[i]->count; j++) covered[k.sent[i]->index[j]]++;
    for (int p = 0; p < N_PARAMS; p++) once &= covered[p] == 1;
    CHECK(k.n_sent == 10 && once, "redrawn fragments cover every parameter once");
    mock_clear(&k);
    ops->on_train_done(a, &rt);
    int changed = 0;
    for (int i = 0; i < k.n_sent; i++)
        if ((int)k.sent[i]->fragment == f0) changed = k.sent[i]->index[0] != first0;
    CHECK(changed, "round 2 uses another permutation");
    /* Node 1 receives all 10 fragments of node 0: every parameter has one
     * copy, so each becomes (own + copy) / 2. */
    for (int p = 0; p < N_PARAMS; p++) {
        k.params[0][p] = 10;
        k.params[1][p] = 2;
    }
    mock_clear(&k);
    ops->on_train_done(a, &rt);
    int n_sent = k.n_sent;
    for (int i = 0; i < n_sent; i++) {
        algo_msg m = *k.sent[i];
        m.dst = 1;
        ops->on_message(b, &rt, &m);
    }
    ops->on_train_done(b, &rt);
    int avg = 1;
    for (int p = 0; p < N_PARAMS; p++) avg &= fabsf(k.params[1][p] - 6.0f) < 1e-5f;
    CHECK(avg, "per-parameter counts: (2 + 10) / 2 everywhere");
    mock_clear(&k);
    ops->node_free(a);
    ops->node_free(b);
    ops->shared_free(sh);
}

static int has_nb(const graph *g, int u, int v) {
    for (int k = g->start[u]; k < g->start[u + 1]; k++)
        if (g->adj[k] == v) return 1;
    return 0;
}

/* Every degree of g equals d. */
static int all_degree(const graph *g, int d) {
    int ok = 1;
    for (int v = 0; v < g->nodes; v++) ok &= graph_degree(g, v) == d;
    return ok;
}

/* Topologies: the generators' shapes, connectivity, drawing peers among
 * neighbours only, the complete topology's draws unchanged, redrawn
 * epochs, and every algorithm sending to neighbours only. */
static void test_topology(void) {
    ds_err err;
    graph g;
    CHECK(graph_ring(8, &g, &err) == 0 && all_degree(&g, 2) && has_nb(&g, 0, 7) && has_nb(&g, 3, 4), "ring of 8");
    graph_free(&g);
    CHECK(graph_ring(2, &g, &err) == 0 && all_degree(&g, 1), "ring of 2: one edge");
    graph_free(&g);
    CHECK(graph_torus(12, 3, &g, &err) == 0 && all_degree(&g, 4) && has_nb(&g, 0, 3) && has_nb(&g, 0, 8) &&
              has_nb(&g, 0, 1) && has_nb(&g, 0, 4) && graph_reach(&g) == 12,
          "torus 3 x 4: 4 neighbours, wrapping");
    graph_free(&g);
    CHECK(graph_torus(8, 2, &g, &err) == 0 && all_degree(&g, 3), "torus 2 x 4: up and down coincide, 3 neighbours");
    graph_free(&g);
    CHECK(graph_torus(7, 7, &g, &err) != 0 && strstr(err.msg, "both sides"), "torus 7 x 1 refused: %s", err.msg);
    CHECK(graph_star(8, &g, &err) == 0 && graph_degree(&g, 0) == 7 && graph_degree(&g, 5) == 1, "star of 8");
    graph_free(&g);
    CHECK(graph_small_world(20, 4, 0, 1, &g, &err) == 0 && all_degree(&g, 4) && has_nb(&g, 0, 18) && has_nb(&g, 0, 2),
          "small world with beta 0 is the ring lattice");
    graph_free(&g);
    int sum = 0, moved = 0, loops = 0;
    CHECK(graph_small_world(40, 4, 0.5, 3, &g, &err) == 0, "small world: %s", err.msg);
    for (int v = 0; v < 40; v++) {
        sum += graph_degree(&g, v);
        moved |= !has_nb(&g, v, (v + 1) % 40) || !has_nb(&g, v, (v + 2) % 40);
        loops += has_nb(&g, v, v);
    }
    CHECK(sum == 40 * 4 && moved && !loops, "small world keeps its 80 edges, simple (none merged), some rewired");
    graph_free(&g);
    CHECK(graph_small_world(20, 3, 0.1, 1, &g, &err) != 0 && strstr(err.msg, "even"), "odd k refused: %s", err.msg);

    topology t;
    topology_spec ring = {.kind = TOPO_RING};
    CHECK(topology_new(&ring, 8, 1, &t, &err) == 0 && t.min_degree == 2 && t.max_degree == 2, "ring topology");
    topo_view v;
    topo_view_init(&v, 3, 8);
    rng r;
    rng_seed(&r, 5);
    int out[8], got = topology_pick(&t, &v, &r, 1, 6, out);
    CHECK(got == 2 && ((out[0] == 2 && out[1] == 4) || (out[0] == 4 && out[1] == 2)), "6 peers on a ring: both neighbours");
    topo_view_free(&v);
    topology_free(&t);
    /* The complete topology draws exactly as algo_pick_peers did. */
    rng r2;
    rng_seed(&r, 9);
    rng_seed(&r2, 9);
    int a[5], b[5];
    topo_view_init(&v, 2, 30);
    CHECK(topology_pick(NULL, &v, &r, 4, 5, a) == 5 && algo_pick_peers(&r2, 30, 2, 5, b) == 0 &&
              !memcmp(a, b, sizeof a) && rng_u64(&r) == rng_u64(&r2),
          "complete topology: the same draws as before");
    /* A perfect matching never connects 10 nodes: refused after retries;
     * a 2-regular graph gets new draws until it is one cycle. */
    topology_spec matching = {.kind = TOPO_REGULAR, .degree = 1};
    CHECK(topology_new(&matching, 10, 1, &t, &err) != 0 && strstr(err.msg, "not connected") &&
              strstr(err.msg, "raise the degree"),
          "disconnected regular graph refused: %s", err.msg);
    topology_spec cycle = {.kind = TOPO_REGULAR, .degree = 2};
    int connected = 1;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        connected &= topology_new(&cycle, 12, seed, &t, &err) == 0 && graph_reach(&t.g) == 12;
        topology_free(&t);
    }
    CHECK(connected, "2-regular topologies on 12 nodes are single cycles (10 seeds)");
    char path[64];
    snprintf(path, sizeof path, "/tmp/divshare-topo-%d.txt", (int)getpid());
    write_text(path, "4\n0 1\n2 3\n");
    topology_spec two = {.kind = TOPO_FILE, .file = path};
    CHECK(topology_new(&two, 4, 1, &t, &err) != 0 && strstr(err.msg, "not connected: node 0 reaches 2 of the 4"),
          "disconnected file refused: %s", err.msg);
    unlink(path);
    topology_spec star_redraw = {.kind = TOPO_STAR, .redraw = 2};
    CHECK(topology_new(&star_redraw, 8, 1, &t, &err) != 0 && strstr(err.msg, "random topology"),
          "redraw of a fixed shape refused: %s", err.msg);
    /* A peer sampler: a new graph every 2 rounds, the same for every node
     * of an epoch, epoch 0 the fixed graph. */
    topology_spec sampler = {.kind = TOPO_REGULAR, .degree = 3, .redraw = 2};
    CHECK(topology_new(&sampler, 20, 4, &t, &err) == 0, "sampler: %s", err.msg);
    int same0 = 1, changed = 0, symmetric = 1;
    topo_view views[20];
    for (int i = 0; i < 20; i++) topo_view_init(&views[i], i, 20);
    for (int i = 0; i < 20; i++) {
        topo_view_update(&t, &views[i], 1, &err);
        same0 &= views[i].deg == 3 && !memcmp(views[i].nb, t.g.adj + t.g.start[i], 3 * sizeof(int));
    }
    for (int i = 0; i < 20; i++) {
        topo_view_update(&t, &views[i], 5, &err); /* epoch 2 */
        changed |= memcmp(views[i].nb, t.g.adj + t.g.start[i], 3 * sizeof(int)) != 0;
    }
    for (int i = 0; i < 20; i++)
        for (int k = 0; k < views[i].deg; k++) {
            const topo_view *w = &views[views[i].nb[k]];
            int back = 0;
            for (int q = 0; q < w->deg; q++) back |= w->nb[q] == i;
            symmetric &= back;
        }
    CHECK(same0 && changed && symmetric, "redrawn epochs: epoch 0 is the graph, epoch 2 differs, all nodes agree");
    for (int i = 0; i < 20; i++) topo_view_free(&views[i]);
    topology_free(&t);

    /* Every algorithm, node 3 of a ring of 8: messages to 2 and 4 only. */
    CHECK(topology_new(&ring, N_NODES, 1, &t, &err) == 0, "ring of %d", N_NODES);
    const char *names[] = {"divshare", "adpsgd", "swift", "gossip", "el", "dpsgd"};
    for (int ai = 0; ai < 6; ai++) {
        mock k = {0};
        algo_runtime rt = {&k, m_now, m_train, m_send, m_cancel, m_params, m_fail};
        const algo_ops *ops = algo_find(names[ai]);
        algo_config c = cfg(3);
        c.topo = &t;
        void *sh = NULL, *node = NULL;
        CHECK(ops->shared_new(&sh, &c, &err) == 0 && ops->node_new(&node, &c, sh, 3, &err) == 0, "%s on a ring: %s",
              names[ai], err.msg);
        ops->on_train_done(node, &rt);
        int only = k.n_sent > 0, to2 = 0, to4 = 0;
        for (int i = 0; i < k.n_sent; i++) {
            only &= k.sent[i]->dst == 2 || k.sent[i]->dst == 4;
            to2 |= k.sent[i]->dst == 2;
            to4 |= k.sent[i]->dst == 4;
        }
        int both = !strcmp(names[ai], "gossip") || !strcmp(names[ai], "adpsgd") ? to2 + to4 == 1 : to2 && to4;
        CHECK(only && both, "%s on a ring sends to its neighbours only (%d messages)", names[ai], k.n_sent);
        if (!strcmp(names[ai], "el")) {
            /* EL waits for its two neighbours only, then trains. */
            int trains = k.trains;
            algo_msg *from2 = algo_msg_new(MSG_NOTICE, 2, 3, 1, NULL), *from4 = algo_msg_new(MSG_NOTICE, 4, 3, 1, NULL);
            ops->on_message(node, &rt, from2);
            CHECK(k.trains == trains, "el waits for its other neighbour");
            ops->on_message(node, &rt, from4);
            CHECK(k.trains == trains + 1, "el advances once both neighbours were heard");
            algo_msg_free(from2);
            algo_msg_free(from4);
        }
        mock_clear(&k);
        ops->node_free(node);
        ops->shared_free(sh);
    }
    topology_free(&t);
}

/* Averaging fragment by fragment (inbox.disjoint) adds the same values in
 * the same order as entry by entry: the same bits. Values span many
 * magnitudes so that another order would round differently. */
static void test_inbox_disjoint(void) {
    enum { P = 997, F = 7, SENDERS = 9 };
    static uint32_t perm[P];
    size_t start[F + 1];
    rng r;
    rng_seed(&r, 99);
    for (uint32_t i = 0; i < P; i++) perm[i] = i;
    rng_shuffle_u32(&r, perm, P);
    for (int f = 0; f <= F; f++) start[f] = (size_t)P * (size_t)f / F;
    for (int f = 0; f < F; f++) /* sorted within a fragment, as DivShare's */
        for (size_t i = start[f]; i < start[f + 1]; i++)
            for (size_t j = i + 1; j < start[f + 1]; j++)
                if (perm[j] < perm[i]) {
                    uint32_t t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
    static uint32_t other[P]; /* a second index set for fragment 0, as a redraw */
    for (uint32_t i = 0; i < P; i++) other[i] = P - 1 - i;
    algo_counters cnt = {0};
    ds_err err;
    for (int fit = 1; fit >= 0; fit--) {
        inbox by_entry, by_frag;
        inbox_init(&by_entry, F, P, &err);
        inbox_init(&by_frag, F, P, &err);
        by_frag.disjoint = 1;
        float base[P], a[P], b[P];
        for (int p = 0; p < P; p++) base[p] = (float)(rng_uniform(&r) * 1e6 - 5e5);
        for (int s = 0; s < SENDERS; s++)
            for (int f = 0; f < F; f++) {
                if (rng_uniform(&r) < 0.3 && !(s == 2 && f == 0)) continue;
                size_t count = start[f + 1] - start[f];
                int packed = s % 2;
                model_snapshot *snap = snapshot_alloc(packed ? count : P);
                for (size_t k = 0; k < snap->n; k++)
                    snap->values[k] = (float)((rng_uniform(&r) - 0.5) * pow(10.0, (double)(k % 9)));
                algo_msg *m = algo_msg_new(MSG_FRAGMENT, s, 0, 1, snap);
                snapshot_unref(snap);
                m->fragment = (uint32_t)f;
                m->index = !fit && f == 0 && s == 2 ? other : perm + start[f];
                m->count = count;
                m->packed = packed;
                inbox_put(&by_entry, m, &cnt);
                inbox_put(&by_frag, m, &cnt);
                algo_msg_free(m);
            }
        memcpy(a, base, sizeof a);
        memcpy(b, base, sizeof b);
        inbox_average_into(&by_entry, a, 2, &cnt);
        inbox_average_into(&by_frag, b, 2, &cnt);
        CHECK(!memcmp(a, b, sizeof a) && memcmp(a, base, sizeof a),
              fit ? "averaging by fragment gives the same bits as entry by entry"
                  : "a fragment id with two index sets is averaged entry by entry, the same bits");
        CHECK((by_frag.acc_cap > 0) == fit, "by fragment only when the fragments are disjoint");
        inbox_free(&by_entry);
        inbox_free(&by_frag);
    }
}

int main(void) {
    test_divshare();
    test_adpsgd_swift();
    test_inbox_disjoint();
    test_checks();
    test_dpsgd();
    test_el();
    test_graph();
    test_redraw();
    test_topology();
    return check_done("test_algo");
}
