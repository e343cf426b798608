package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bench/run: every benchmark in one run (ledger, replay, gateway, two-node ledger), each one's own table, then one
 * summary table whose ratios compare figures measured in this same run on this same machine.
 */
public final class BenchRun {
    private record Line(String benchmark, String figure, String value, String against, String ratio) {
    }

    public static void main(String[] args) throws Exception {
        String machine = machine();
        List<LedgerBench.Row> ledger = LedgerBench.measure();
        LedgerBench.print(ledger);
        ReplayBench.Result replay = ReplayBench.measure();
        ReplayBench.print(replay);
        List<GatewayBench.Row> gateway = GatewayBench.run();
        GatewayBench.print(gateway);
        List<ClusterBench.Row> cluster = ClusterBench.run();
        ClusterBench.print(cluster);

        List<Line> lines = new ArrayList<>();
        for (LedgerBench.Row r : ledger) {
            lines.add(new Line("ledger", r.storage() + ", " + r.path(), perSecond(r.transfers() / r.seconds())
                    + " transfers/s", "p99 " + ms(r.p99()) + ", projection lag p99 " + ms(r.lagP99()), ""));
        }
        LedgerBench.Row h2Http = find(ledger, "embedded", "HTTP");
        LedgerBench.Row pgHttp = find(ledger, "PostgreSQL", "HTTP");
        if (h2Http != null && pgHttp != null) {
            lines.add(new Line("ledger", "PostgreSQL / embedded, HTTP", "", "transfers/s",
                    ratio((pgHttp.transfers() / pgHttp.seconds()) / (h2Http.transfers() / h2Http.seconds()))));
        }
        for (ReplayBench.Row r : replay.rows()) {
            lines.add(new Line("replay", r.readModel(), perSecond(r.events() / r.seconds()) + " events/s",
                    r.events() + " events, same rows: " + (r.same() ? "yes" : "NO"), ""));
        }
        for (GatewayBench.Row r : gateway) {
            lines.add(new Line("gateway", r.mode() + ", " + r.concurrency() + " concurrent, " + r.accounts()
                    + (r.accounts() == 1 ? " account" : " accounts"),
                    "added p50 " + ms(r.metered().p50() - r.direct().p50()) + ", p99 "
                            + ms(r.metered().p99() - r.direct().p99()),
                    perSecond(r.metered().perSecond()) + " metered calls/s",
                    ratio(r.metered().p50() / r.direct().p50()) + " of direct p50"));
        }
        lines.add(new Line("two nodes", "HTTP transfers, two nodes / one node",
                perSecond(cluster.get(1).perSecond()) + " vs " + perSecond(cluster.get(0).perSecond()) + " /s",
                "one PostgreSQL", ratio(cluster.get(1).perSecond() / cluster.get(0).perSecond())));

        System.out.println();
        System.out.println("Summary (" + machine + ")");
        System.out.printf("%-10s | %-58s | %-28s | %-40s | %s%n", "benchmark", "setup", "figure", "context", "ratio");
        System.out.println("-".repeat(10) + "-|-" + "-".repeat(58) + "-|-" + "-".repeat(28) + "-|-" + "-".repeat(40)
                + "-|------");
        for (Line l : lines) {
            System.out.printf("%-10s | %-58s | %-28s | %-40s | %s%n", l.benchmark, l.figure, l.value, l.against,
                    l.ratio);
        }
        System.exit(0);
    }

    private static LedgerBench.Row find(List<LedgerBench.Row> rows, String storage, String path) {
        return rows.stream().filter(r -> r.storage().contains(storage) && r.path().equals(path)).findFirst()
                .orElse(null);
    }

    private static String perSecond(double value) {
        return String.format("%.0f", value);
    }

    private static String ms(double value) {
        return String.format("%.2f ms", value);
    }

    private static String ratio(double value) {
        return String.format("%.2f×", value);
    }

    private static String machine() throws IOException {
        String cpu = "unknown CPU";
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try (BufferedReader reader = Files.newBufferedReader(info)) {
                cpu = reader.lines().filter(l -> l.startsWith("model name")).findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
            }
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1L << 30) + " GiB, Java "
                + System.getProperty("java.version") + ", load average at start "
                + String.format("%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private BenchRun() {
    }
}
