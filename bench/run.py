"""Benchmark runner: times mwaa-lint against its targets (issue 8, T1-T9) and against the peers, writes RESULTS.md.

    python bench/run.py                       # everything; writes bench/RESULTS.md
    python bench/run.py --only T1,T2,T9       # some targets (RESULTS.md then holds only those)
    python bench/run.py --quick               # fewer repetitions, no 10,000-file runs, peers on 200 files

Work folder (default /tmp/mwaa-lint-bench): corpus/ (bench/make_corpus.py, regenerated when the generator changes),
venvs/ (one per tool: mwaa-lint installed with pip from `git archive HEAD` of the repository, parliament, cfn-lint
and checkov from PyPI), src/ (the archived source), logs/ (one peer output per target, for checking what ran).

Timing: every command runs as a subprocess (stdout and stderr to /dev/null) timed with time.perf_counter; the
commands compared with each other run interleaved, repetition by repetition, in rotating order, so a noisy
neighbour slows both sides of a ratio alike. The figure is the median. Peak RSS: one extra run of each command under
`/usr/bin/time -v` ("Maximum resident set size"; for a process pool it is the largest single process).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_corpus  # noqa: E402

PEERS = {"parliament": "parliament", "cfn-lint": "cfn-lint", "checkov": "checkov"}
KINDS = make_corpus.SINGLE_KINDS  # iam-json cfn-yaml cfn-json tf plan
JSON_KINDS = ("iam-json", "cfn-json", "plan")
PEER_LIMIT_S = 300  # T4: a peer whose 1,000-file run would exceed 5 minutes is measured on 200 files
ANALYSIS_MARK = "<!-- analysis: kept across reruns -->"


# ---------------------------------------------------------------------------------------------------------------
# Set-up

def sh(cmd: list, **kw) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def ensure_corpus(work: str, sizes: list) -> str:
    corpus = os.path.join(work, "corpus")
    with open(make_corpus.__file__, "rb") as stream:
        stamp = hashlib.sha256(stream.read() + repr(sizes).encode()).hexdigest()
    stamp_path = os.path.join(corpus, ".stamp")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return corpus
    print(f"generating the corpus in {corpus} ...", flush=True)
    make_corpus.write_suite(corpus, 8, sizes)
    with open(stamp_path, "w") as stream:
        stream.write(stamp)
    return corpus


def venv(work: str, name: str) -> str:
    path = os.path.join(work, "venvs", name)
    if not os.path.exists(os.path.join(path, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", path], check=True)
        pip(path, ["--upgrade", "pip"])
    return path


def pip(path: str, args: list) -> None:
    result = subprocess.run([os.path.join(path, "bin", "pip"), "install", "-q"] + args, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"pip install {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def ensure_mwaa_lint(work: str, repo: str) -> dict:
    """Install the repository's HEAD (not the working tree others are editing) into its own venv."""
    commit = sh(["git", "-C", repo, "rev-parse", "HEAD"]).strip()
    path = venv(work, "mwaa-lint")
    marker = os.path.join(path, "installed-commit")
    if not (os.path.exists(marker) and open(marker).read() == commit):
        src = os.path.join(work, "src", commit[:12])
        if not os.path.isdir(src):
            os.makedirs(src)
            archive = subprocess.run(["git", "-C", repo, "archive", "HEAD"], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
        print(f"installing mwaa-lint {commit[:12]} ...", flush=True)
        pip(path, ["--force-reinstall", "--no-deps", src])
        pip(path, [src])
        with open(marker, "w") as stream:
            stream.write(commit)
    version = sh([os.path.join(path, "bin", "mwaa-lint"), "--version"]).strip()
    return {"venv": path, "commit": commit, "version": version}


def ensure_peer(work: str, package: str) -> dict:
    path = venv(work, package)
    script = os.path.join(path, "bin", package)
    if not os.path.exists(script):
        print(f"installing {package} ...", flush=True)
        pip(path, [package])
    version = sh([os.path.join(path, "bin", "python"), "-c",
                  f"import importlib.metadata as m; print(m.version({package!r}))"]).strip()
    return {"venv": path, "script": script, "version": version}


# ---------------------------------------------------------------------------------------------------------------
# Measuring

def run_once(cmd: list, log: str | None = None) -> tuple:
    """(wall seconds, peak RSS in MiB) of one run; the RSS is the child's ru_maxrss from wait4, the counter that
    /usr/bin/time -v prints as "Maximum resident set size" (for a process pool: the largest single process)."""
    out = open(log, "w") if log else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        return elapsed, usage.ru_maxrss / 1024
    finally:
        if log:
            out.close()


def peak_rss_mib(cmd: list) -> float:
    """ "Maximum resident set size" reported by /usr/bin/time -v for one run of cmd."""
    result = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return int(match.group(1)) / 1024 if match else float("nan")


class Result:
    def __init__(self, name: str, cmd: list, times: list, rss: float | None):
        self.name, self.cmd, self.times, self.rss = name, cmd, times, rss

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def bench(cmds: dict, reps: int, warmup: int = 1, logs: dict | None = None) -> dict:
    """Run the commands interleaved `reps` times (after `warmup` untimed rounds); {name: Result}.
    Peak RSS: an extra run under /usr/bin/time -v for commands under 5 s, else the largest ru_maxrss of the timed
    runs (the same counter)."""
    names = list(cmds)
    for _ in range(warmup):
        for name in names:
            run_once(cmds[name], (logs or {}).get(name))
    times: dict = {name: [] for name in names}
    rss: dict = {name: 0.0 for name in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            elapsed, peak = run_once(cmds[name])
            times[name].append(elapsed)
            rss[name] = max(rss[name], peak)
    results = {}
    for name in names:
        if statistics.median(times[name]) < 5:
            rss[name] = peak_rss_mib(cmds[name])
        results[name] = Result(name, cmds[name], times[name], rss[name])
    return results


def has_jobs(mwaa: list) -> bool:
    return "--jobs" in sh(mwaa + ["check", "--help"])


# ---------------------------------------------------------------------------------------------------------------
# Targets. Each returns rows: (id, target, measured, verdict, commands) plus detail lines.

class Report:
    """Rows and detail tables, by group of targets. Groups measured in this invocation replace those stored in
    $W/results.json; the others are kept, so `--only` refreshes part of RESULTS.md without dropping the rest."""

    def __init__(self, work: str, commit: str):
        self.work, self.commit = work, commit
        self.store_path = os.path.join(work, "results.json")
        self.groups: dict = {}
        if os.path.exists(self.store_path):
            with open(self.store_path, encoding="utf-8") as stream:
                self.groups = json.load(stream)
        self.current: dict | None = None

    def start(self, group: str, reps: int):
        self.current = self.groups[group] = {
            "rows": [], "details": [], "commit": self.commit, "reps": reps, "extra": {},
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "load": [os.getloadavg()[0]]}

    def finish(self):
        self.current["load"].append(os.getloadavg()[0])
        with open(self.store_path, "w", encoding="utf-8") as stream:
            json.dump(self.groups, stream, indent=1)

    def row(self, tid: str, target: str, measured: str, ok: bool | None, cmds: list):
        verdict = {True: "pass", False: "**FAIL**", None: "not measurable yet"}[ok]
        self.current["rows"].append([tid, target, measured, verdict, [self.short(c) for c in cmds]])
        print(f"{tid}: {measured} -> {verdict}", flush=True)

    def detail(self, title: str, header: list, lines: list):
        self.current["details"].append([title, header, lines])

    def short(self, cmd: list) -> str:
        text = " ".join(shlex.quote(c) for c in cmd)
        return text.replace(self.work, "$W")


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def t1_t2_t7_t9(rep: Report, ctx: dict, reps: int):
    """Start-up: one small file of each kind (text and SARIF), --version, no relevant files, 20 files as arguments."""
    mwaa, corpus, python = ctx["mwaa"], ctx["corpus"], ctx["python"]
    cmds = {"pass": [python, "-c", "pass"], "--version": mwaa + ["--version"],
            "no relevant files": mwaa + ["check", os.path.join(corpus, "none")]}
    for kind in KINDS:
        path = small_file(corpus, kind)
        cmds[f"{kind} text"] = mwaa + ["check", path]
        cmds[f"{kind} sarif"] = mwaa + ["check", "--format", "sarif", path]
    precommit = sorted(os.path.join(dirpath, f) for dirpath, _, files in os.walk(os.path.join(corpus, "precommit-20"))
                       for f in files)
    cmds["20 files as arguments"] = mwaa + ["check"] + precommit
    results = bench(cmds, reps, warmup=2)
    unit = results["pass"].median
    ratio = {name: r.median / unit for name, r in results.items()}
    rep.detail("Start-up (T1, T2, T7, T9): medians of %d interleaved runs; unit `python -c pass` = %s" % (
        reps, fmt_ms(unit)), ["command", "median", "× pass", "peak RSS"],
        [[name, fmt_ms(r.median), f"{ratio[name]:.1f}×", f"{r.rss:.0f} MiB"] for name, r in results.items()])
    one_file = [n for n in results if n.endswith(" text") or n.endswith(" sarif")]
    worst = max(one_file, key=lambda n: ratio[n])
    rep.row("T1", "one small file, text or SARIF ≤ 8× pass (stretch 6×)",
            f"worst {ratio[worst]:.1f}× ({worst}); best {min(ratio[n] for n in one_file):.1f}×",
            ratio[worst] <= 8, [results["pass"].cmd, results[worst].cmd])
    worst2 = max(["--version", "no relevant files"], key=lambda n: ratio[n])
    rep.row("T2", "`--version` and no relevant files ≤ 7× pass",
            f"--version {ratio['--version']:.1f}×, no relevant files {ratio['no relevant files']:.1f}×",
            ratio[worst2] <= 7, [results["--version"].cmd, results["no relevant files"].cmd])
    rss_worst = max(one_file, key=lambda n: results[n].rss)
    ctx["t7_one"] = rep.current["extra"]["t7_one"] = (results[rss_worst].rss, rss_worst, results[rss_worst].cmd)
    rep.row("T9", "pre-commit style, 20 files as arguments ≤ 12× pass",
            f"{ratio['20 files as arguments']:.1f}× ({fmt_ms(results['20 files as arguments'].median)})",
            ratio["20 files as arguments"] <= 12, [mwaa + ["check", "<the 20 files of $W/corpus/precommit-20>"]])


def small_file(corpus: str, kind: str) -> str:
    folder = os.path.join(corpus, f"small-{kind}")
    return sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files)[0]


def big_file(corpus: str, kind: str) -> str:
    folder = os.path.join(corpus, f"big-{kind}")
    return sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files)[0]


def t3_t8(rep: Report, ctx: dict, reps: int):
    """Per-file cost by kind: (200 files - 1 file) / 199; one ~1 MB file minus one small file."""
    mwaa, corpus, one = ctx["mwaa"], ctx["corpus"], ctx["one_process"]
    cmds = {}
    for kind in KINDS:
        cmds[f"{kind} 1"] = mwaa + ["check"] + one + [small_file(corpus, kind)]
        cmds[f"{kind} 200"] = mwaa + ["check"] + one + [os.path.join(corpus, f"kind-{kind}-200")]
        cmds[f"{kind} 1MB"] = mwaa + ["check"] + one + [big_file(corpus, kind)]
    results = bench(cmds, reps, warmup=1)
    lines, per_file, big = [], {}, {}
    for kind in KINDS:
        base = results[f"{kind} 1"].median
        per_file[kind] = (results[f"{kind} 200"].median - base) / 199
        big[kind] = results[f"{kind} 1MB"].median - base
        size = os.path.getsize(big_file(corpus, kind)) / 1e6
        lines.append([kind, fmt_ms(base), fmt_ms(results[f"{kind} 200"].median), f"{per_file[kind] * 1000:.2f} ms",
                      f"{fmt_ms(results[f'{kind} 1MB'].median)} ({size:.2f} MB)", fmt_ms(big[kind])])
    rep.detail(f"Per kind (T3, T8), 1 process, medians of {reps} interleaved runs",
               ["kind", "1 small file", "200 files (1-30 KB)", "per file (200 - 1)/199", "one ~1 MB file",
                "1 MB minus 1 small"], lines)
    ok3 = all(per_file[k] <= (0.0005 if k in JSON_KINDS else 0.003) for k in KINDS)
    rep.row("T3", "per file 1-30 KB, 1 process: JSON kinds ≤ 0.5 ms, CFN YAML and .tf ≤ 3 ms",
            ", ".join(f"{k} {per_file[k] * 1000:.2f}" for k in KINDS) + " ms", ok3,
            [cmds["cfn-yaml 200"], cmds["cfn-yaml 1"]])
    ok8 = all(big[k] <= (0.060 if k in JSON_KINDS else 0.5) for k in KINDS)
    rep.row("T8", "one 1 MB file (minus start-up): CFN YAML, .tf ≤ 0.5 s; JSON kinds ≤ 60 ms",
            ", ".join(f"{k} {fmt_ms(big[k])}" for k in KINDS), ok8, [cmds["cfn-yaml 1MB"]])


def t4(rep: Report, ctx: dict, reps: int, quick: bool):
    """Each peer on its own corpus, paired with mwaa-lint on the same files, 1 process."""
    mwaa, corpus, one, peers = ctx["mwaa"], ctx["corpus"], ctx["one_process"], ctx["peers"]
    need = {"parliament": 10, "cfn-lint": 50, "checkov": 50}
    lines, verdicts, measured, cmds_out = [], [], [], []
    for peer, info in peers.items():
        def peer_cmd(n):
            folder = os.path.join(corpus, f"own-{peer}-{n}")
            if peer == "parliament":
                return [info["script"], "--directory", folder]
            if peer == "cfn-lint":
                return [info["script"]] + sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs)
            return [info["script"], "-d", folder, "--framework", "terraform", "cloudformation", "--quiet",
                    "--compact", "--skip-download"]
        # One untimed run on 200 files decides the size (and warms the caches).
        log = os.path.join(ctx["logs"], f"{peer}-200.txt")
        estimate = run_once(peer_cmd(200), log)[0] * 5
        n = 200 if quick or estimate > PEER_LIMIT_S else 1000
        folder = os.path.join(corpus, f"own-{peer}-{n}")
        cmds = {"mwaa-lint": mwaa + ["check"] + one + [folder], peer: peer_cmd(n)}
        results = bench(cmds, reps, warmup=0, logs={peer: os.path.join(ctx["logs"], f"{peer}-{n}.txt")})
        ratio = results[peer].median / results["mwaa-lint"].median
        why = "" if n == 1000 else (" (quick run)" if quick else
                                    f" (200 files: a 1,000-file run would take ~{estimate:.0f} s > 5 min)")
        lines.append([f"{peer} {info['version']}", f"{n}{why}", fmt_ms(results[peer].median),
                      fmt_ms(results["mwaa-lint"].median), f"{ratio:.1f}×", f"≥ {need[peer]}×",
                      f"{results[peer].rss:.0f} / {results['mwaa-lint'].rss:.0f} MiB"])
        verdicts.append(ratio >= need[peer])
        measured.append(f"{peer} {ratio:.1f}× ({n} files)")
        cmds_out += [cmds["mwaa-lint"], results[peer].cmd if peer != "cfn-lint" else
                     results[peer].cmd[:1] + [f"<{n} files of {folder}>"]]
    rep.detail(f"Peers on their own corpus (T4), medians of {reps} interleaved runs",
               ["peer", "files", "peer median", "mwaa-lint median", "mwaa-lint faster by", "target",
                "peak RSS peer / mwaa-lint"], lines)
    rep.row("T4", "own corpus, 1 process: ≥ 10× parliament, ≥ 50× cfn-lint, ≥ 50× checkov", "; ".join(measured),
            all(verdicts), cmds_out)


def t5_t6_t7(rep: Report, ctx: dict, reps: int, quick: bool):
    """Mixed corpora: 1,000 files (`reps` interleaved runs) and 10,000 files (3 runs, no warm-up), 1 process and
    --jobs 2 paired within each size."""
    mwaa, corpus, jobs = ctx["mwaa"], ctx["corpus"], ctx["jobs"]
    sizes = [1000] if quick else [1000, 10000]
    results = {}
    for n in sizes:
        folder = os.path.join(corpus, f"mixed-{n}")
        cmds = {f"{n} jobs1": mwaa + ["check"] + (["--jobs", "1"] if jobs else []) + [folder]}
        if jobs:
            cmds[f"{n} jobs2"] = mwaa + ["check", "--jobs", "2", folder]
        results.update(bench(cmds, reps if n < 10000 else min(reps, 3), warmup=1 if n < 10000 else 0))
    lines = []
    for name, r in results.items():
        n = int(name.split()[0])
        lines.append([r.name + ("" if jobs else " (no --jobs option: default)"), fmt_ms(r.median),
                      f"{r.median / n * 1000:.2f} ms", f"{r.rss:.0f} MiB"])
    rep.detail(f"Mixed corpus (T5, T6, T7), medians of {reps} (1,000 files) and {min(reps, 3)} (10,000) runs",
               ["run", "median", "per file", "peak RSS"], lines)
    if jobs:
        rep.detail("Same output whatever --jobs is (issue 8): SARIF of `--jobs 1` and `--jobs 2` compared byte for byte",
                   ["corpus", "--jobs 1 sha256", "--jobs 2 sha256", "identical"],
                   [same_output(mwaa, os.path.join(corpus, f"mixed-{n}"), ctx["work"]) for n in sizes])
    if 10000 in sizes:
        t = results["10000 jobs2"] if jobs else results["10000 jobs1"]
        rep.row("T5", "10,000 mixed files (~100 MB) ≤ 10 s wall with `--jobs 2` (stretch 8 s)",
                f"{fmt_ms(t.median)}" + ("" if jobs else " with 1 process (no --jobs yet)"),
                (t.median <= 10) if jobs else None, [t.cmd])
        per1k = results["1000 jobs1"].median / 1000
        per10k = results["10000 jobs1"].median / 10000
        measured = f"ms/file 10,000 / 1,000 = {per10k * 1000:.2f} / {per1k * 1000:.2f} = {per10k / per1k:.2f}"
        ok = per10k <= 1.2 * per1k
        cmds6 = [results["1000 jobs1"].cmd, results["10000 jobs1"].cmd]
        if jobs:
            speed = {n: results[f"{n} jobs1"].median / results[f"{n} jobs2"].median for n in sizes}
            measured += "; --jobs 2 speed-up " + ", ".join(f"{s:.2f}× at {n}" for n, s in speed.items())
            ok = ok and all(s >= 1.7 for s in speed.values())
        else:
            measured += "; --jobs: not measurable yet"
            ok = None if ok else False
        rep.row("T6", "ms/file at 10,000 ≤ 1.2× at 1,000; `--jobs 2` ≥ 1.7× faster than `--jobs 1`", measured, ok,
                cmds6)
        big = max(results.values(), key=lambda r: r.rss)
    else:
        big = max(results.values(), key=lambda r: r.rss)
    one_rss, one_name, one_cmd = ctx.get("t7_one") or (float("nan"), "not measured (run T1)", [])
    rep.row("T7", "peak RSS ≤ 40 MiB one file; ≤ 150 MiB per process over 10,000 files",
            f"one file {one_rss:.0f} MiB (worst: {one_name}); {big.name} {big.rss:.0f} MiB",
            one_rss <= 40 and big.rss <= 150, [one_cmd, big.cmd])


def same_output(mwaa: list, folder: str, work: str) -> list:
    digests = []
    for jobs in ("1", "2"):
        out = os.path.join(work, f"jobs{jobs}.sarif")
        subprocess.run(mwaa + ["check", "--jobs", jobs, "--format", "sarif", "--output", out, folder],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out, "rb") as stream:
            digests.append(hashlib.sha256(stream.read()).hexdigest())
        os.remove(out)
    return [os.path.basename(folder), digests[0][:16], digests[1][:16], "yes" if digests[0] == digests[1] else "**NO**"]


# ---------------------------------------------------------------------------------------------------------------
# Profiling notes (what costs time), with the mwaa-lint venv's interpreter

def profile(rep: Report, ctx: dict):
    python, corpus = ctx["python"], ctx["corpus"]
    # Imports of a one-file IAM JSON run, heaviest cumulative first.
    result = subprocess.run([python, "-X", "importtime", "-c",
                             "import sys; sys.argv=['mwaa-lint','check',%r]\n"
                             "from linter.cli import main\ntry: main()\nexcept SystemExit: pass"
                             % small_file(corpus, "iam-json")], capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    top = [r for r in rows if r[1] <= 3]
    top.sort(reverse=True)
    total = sum(r[0] for r in rows if r[1] == 1)
    rep.detail(f"`python -X importtime`, one small IAM JSON file: top-level imports (total {total / 1000:.0f} ms)",
               ["module", "cumulative"], [[r[2], f"{r[0] / 1000:.1f} ms"] for r in top[:12]])
    script = os.path.join(HERE, "profile_run.py")
    out = subprocess.run([python, script, os.path.join(corpus, "mixed-1000")], capture_output=True, text=True)
    if out.returncode == 0:
        data = json.loads(out.stdout)
        rep.detail("Phases of one in-process run over mixed-1000 (bench/profile_run.py)", ["phase", "time"],
                   [[k, fmt_ms(v)] for k, v in data["phases"].items()])
        rep.detail("cProfile of the same run: top functions by own time", ["function", "own", "cumulative", "calls"],
                   data["top"])
    else:
        rep.detail("Phases: bench/profile_run.py failed", ["stderr"], [[out.stderr.strip()[-300:]]])


# ---------------------------------------------------------------------------------------------------------------
# RESULTS.md

def table(header: list, lines: list) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in line) + " |" for line in lines]
    return "\n".join(out)


GROUPS = ["startup", "kinds", "mixed", "peers", "profile"]


def write_results(path: str, rep: Report, ctx: dict, argv: list, started: float):
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    analysis = old.split(ANALYSIS_MARK, 1)[1] if ANALYSIS_MARK in old else "\n_(none yet)_\n"
    m = ctx["mwaa_info"]
    peers = ", ".join(f"{name} {info['version']}" for name, info in ctx["peers"].items()) or \
        rep.groups.get("peers", {}).get("extra", {}).get("versions", "not run")
    py = sh([ctx["python"], "-c", "import sys, yaml; print(sys.version.split()[0], yaml.__with_libyaml__)"]).split()
    groups = [(name, rep.groups[name]) for name in GROUPS if name in rep.groups]
    rows = sorted(row for _, group in groups for row in group["rows"])
    lines = [
        "# mwaa-lint benchmark results",
        "",
        "Generated by `bench/run.py` (do not edit above the analysis mark; rerun instead). Ratios, not absolute",
        "times, are the results: the machine is shared and noisy.",
        "",
        f"- Last run: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} (`python bench/run.py {' '.join(argv)}`,"
        f" {(time.time() - started) / 60:.0f} min); `$W` = {rep.work}",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {platform.platform()}, Python {py[0]} (libyaml: {py[1]})",
        f"- {m['version']} installed with pip from `git archive` of the commit each section names",
        f"- Peers (each in its own venv, from PyPI): {peers}",
        "- Measured: " + "; ".join(f"{name} at {g['commit'][:12]} on {g['date']} (load average {g['load'][0]:.1f}"
                                   f" -> {g['load'][-1]:.1f})" for name, g in groups),
        "",
        "## Targets (issue 8)",
        "",
        table(["#", "target", "measured", "result", "command(s)"],
              [[tid, target, measured, verdict, "<br>".join(f"`{c}`" for c in cmds)]
               for tid, target, measured, verdict, cmds in rows]),
        "",
    ]
    for name, group in groups:
        for title, header, table_rows in group["details"]:
            lines += [f"## {title}", "", f"_{name}: commit {group['commit'][:12]}, {group['date']}_", "",
                      table(header, table_rows), ""]
    lines += ["## Analysis", "", ANALYSIS_MARK + analysis.rstrip("\n"), ""]
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines))
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/mwaa-lint-bench")
    parser.add_argument("--repo", default=os.path.dirname(HERE))
    parser.add_argument("--only", default="T1,T2,T3,T4,T5,T6,T7,T8,T9,profile")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reps", type=int, default=0, help="override repetitions of every target")
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    args = parser.parse_args()
    started = time.time()
    only = set(args.only.split(","))
    work = os.path.abspath(args.work)
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    corpus = ensure_corpus(work, [100, 1000, 10000])
    info = ensure_mwaa_lint(work, args.repo)
    mwaa = [os.path.join(info["venv"], "bin", "mwaa-lint")]
    jobs = has_jobs(mwaa)
    ctx = {"mwaa": mwaa, "mwaa_info": info, "corpus": corpus, "python": os.path.join(info["venv"], "bin", "python"),
           "jobs": jobs, "one_process": ["--jobs", "1"] if jobs else [], "logs": os.path.join(work, "logs"),
           "peers": {}, "work": work}
    if "T4" in only:
        ctx["peers"] = {name: ensure_peer(work, package) for name, package in PEERS.items()}
    rep = Report(work, info["commit"])
    reps = lambda n, q: args.reps or (q if args.quick else n)  # noqa: E731
    if only & {"T1", "T2", "T7", "T9"}:
        rep.start("startup", reps(40, 10))
        t1_t2_t7_t9(rep, ctx, reps(40, 10))
        rep.finish()
    if only & {"T3", "T8"}:
        rep.start("kinds", reps(9, 3))
        t3_t8(rep, ctx, reps(9, 3))
        rep.finish()
    if only & {"T5", "T6", "T7"}:
        rep.start("mixed", reps(5, 2))
        ctx.setdefault("t7_one", rep.groups.get("startup", {}).get("extra", {}).get("t7_one"))
        t5_t6_t7(rep, ctx, reps(5, 2), args.quick)
        rep.finish()
    if "T4" in only:
        rep.start("peers", reps(3, 1))
        rep.current["extra"]["versions"] = ", ".join(f"{n} {i['version']}" for n, i in ctx["peers"].items())
        t4(rep, ctx, reps(3, 1), args.quick)
        rep.finish()
    if "profile" in only:
        rep.start("profile", 1)
        profile(rep, ctx)
        rep.finish()
    write_results(args.results, rep, ctx, sys.argv[1:], started)


if __name__ == "__main__":
    main()
