#!/usr/bin/env python3
"""A campaign as a Slurm job array (tools/slurm/campaign.sbatch, docs/campaigns.md "On a Slurm cluster"), on a
real single-node Slurm brought up here from Debian's packages (slurmctld, slurmd, slurm-client, munge): four
shards of a scenario that draws at random, submitted with `sbatch --wait --array=0-3`, merged with
`pairsim campaign merge`, must give results.jsonl, summary.json and campaign.json byte-identical to a local
`pairsim campaign --jobs 2` over the same range, and the same seed folders and traces.

The daemons need root. This test does not skip: not root, a package missing or a daemon that does not start
is a failure, with the daemon's log. Everything lives in a scratch folder — its own munged socket, its own
ports — and the daemons are stopped by their pid files at the end, whatever happened."""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT, check, done  # noqa: E402

PAIRSIM = os.path.abspath(PAIRSIM)
SBATCH_SCRIPT = os.path.join(ROOT, "tools", "slurm", "campaign.sbatch")
LOTTERY = os.path.join(ROOT, "tests", "scenarios", "bank-lottery.scn")
SEEDS = "1..40"
SHARDS = 4


class SetupFailed(Exception):
    pass


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


class Cluster:
    """munged, slurmctld and slurmd, all in `scratch`; stop() ends each by its pid file."""

    def __init__(self, scratch):
        self.scratch = scratch
        self.munge_dir = os.path.join(scratch, "munge")
        self.socket = os.path.join(self.munge_dir, "munge.socket")
        self.conf = os.path.join(scratch, "slurm.conf")
        self.host = socket.gethostname().split(".")[0]
        self.pid_files = {}  # daemon -> its pid file, for each one started
        self.logs = {"munged": os.path.join(self.munge_dir, "munged.log"),
                     "slurmctld": os.path.join(scratch, "slurmctld.log"),
                     "slurmd": os.path.join(scratch, "slurmd.log")}
        self.env = dict(os.environ, SLURM_CONF=self.conf)

    def fail(self, daemon, what):
        raise SetupFailed(f"{what}\n--- the end of {self.logs[daemon]} ---\n{tail(self.logs[daemon])}")

    def start_daemon(self, name, command, pid_file):
        self.pid_files[name] = pid_file
        p = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            self.fail(name, f"{name} did not start (exit {p.returncode}): {(p.stderr + p.stdout).strip()}")
        if not wait_for(lambda: read_pid(pid_file) and alive(read_pid(pid_file)), 15):
            self.fail(name, f"{name} is not running: no live process in {pid_file}")

    def start(self):
        try:
            pwd.getpwnam("munge")
        except KeyError:
            raise SetupFailed("there is no munge user: install munge (tools/install-deps.sh)")
        # munged runs as the munge user, with a socket of its own (any other munged is left alone); it
        # refuses a socket folder others cannot search.
        os.chmod(self.scratch, 0o755)
        os.mkdir(self.munge_dir, 0o711)
        shutil.chown(self.munge_dir, "munge", "munge")
        os.chmod(self.munge_dir, 0o711)
        pid = os.path.join(self.munge_dir, "munged.pid")
        self.start_daemon("munged", ["su", "-s", "/bin/sh", "munge", "-c",
                                     f"/usr/sbin/munged --socket={self.socket} --pid-file={pid} "
                                     f"--log-file={self.logs['munged']} "
                                     f"--seed-file={os.path.join(self.munge_dir, 'munged.seed')}"], pid)
        cred = subprocess.run(f"munge -S {self.socket} -n | unmunge -S {self.socket}", shell=True,
                              capture_output=True, text=True, timeout=30)
        if "Success" not in cred.stdout:
            self.fail("munged", f"munge -n | unmunge does not say Success: {(cred.stdout + cred.stderr).strip()}")

        for d in ("state", "spool"):
            os.mkdir(os.path.join(self.scratch, d))
        # No cgroup.conf beside it: Slurm 22.05's slurmd does not start with one that disables cgroups.
        with open(self.conf, "w") as f:
            f.write(f"""ClusterName=pairsim
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.socket}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation={self.scratch}/state
SlurmdSpoolDir={self.scratch}/spool
SlurmctldPidFile={self.scratch}/slurmctld.pid
SlurmdPidFile={self.scratch}/slurmd.pid
SlurmctldLogFile={self.logs['slurmctld']}
SlurmdLogFile={self.logs['slurmd']}
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} State=UNKNOWN
PartitionName=pairsim Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")
        self.start_daemon("slurmctld", ["slurmctld", "-f", self.conf], os.path.join(self.scratch, "slurmctld.pid"))
        self.start_daemon("slurmd", ["slurmd", "-f", self.conf], os.path.join(self.scratch, "slurmd.pid"))

        def idle():
            p = subprocess.run(["sinfo", "-h", "-o", "%T", "-n", self.host], capture_output=True, text=True,
                               env=self.env, timeout=30)
            return p.stdout.strip() == "idle"
        if not wait_for(idle, 30):
            state = subprocess.run(["sinfo"], capture_output=True, text=True, env=self.env, timeout=30)
            raise SetupFailed(f"the node is not idle after 30 s: {(state.stdout + state.stderr).strip()}\n"
                              f"--- the end of {self.logs['slurmctld']} ---\n{tail(self.logs['slurmctld'])}\n"
                              f"--- the end of {self.logs['slurmd']} ---\n{tail(self.logs['slurmd'])}")

    def stop(self):
        """Ends slurmd, slurmctld and munged (those started), each by its pid file; says if one would not go."""
        stopped = True
        for name in ("slurmd", "slurmctld", "munged"):
            pid = read_pid(self.pid_files[name]) if name in self.pid_files else None
            if not pid or not alive(pid):
                continue
            os.kill(pid, signal.SIGTERM)
            if not wait_for(lambda: not alive(pid), 15):
                os.kill(pid, signal.SIGKILL)
                stopped = wait_for(lambda: not alive(pid), 5) and stopped
        return stopped


def read(path):
    with open(path, "rb") as f:
        return f.read()


def run_test(cluster, work):
    shutil.copy(LOTTERY, os.path.join(work, "bank-lottery.scn"))
    # campaign.sbatch's default binary is build/pairsim in the folder sbatch is run in, as in the docs.
    os.mkdir(os.path.join(work, "build"))
    os.symlink(PAIRSIM, os.path.join(work, "build", "pairsim"))
    env = dict(cluster.env, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")

    start = time.monotonic()
    submit = subprocess.Popen(["sbatch", "--wait", "--parsable", f"--array=0-{SHARDS - 1}", SBATCH_SCRIPT,
                               "bank-lottery.scn", SEEDS, "shards"], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        out, err = submit.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        submit.kill()
        out, err = submit.communicate()
        job = out.strip().split(";")[0]
        if job:
            subprocess.run(["scancel", job], env=env, timeout=30)
        raise SetupFailed(f"sbatch --wait did not return in 150 s (job {job or '?'})\n--- the end of "
                          f"{cluster.logs['slurmctld']} ---\n{tail(cluster.logs['slurmctld'])}")
    seconds = time.monotonic() - start
    outputs = sorted(n for n in os.listdir(work) if n.startswith("slurm-") and n.endswith(".out"))
    check(submit.returncode == 0, f"sbatch --wait --array=0-{SHARDS - 1} campaign.sbatch: every task ends 0 "
                                  f"(got {submit.returncode}) {err.strip()}")
    if submit.returncode != 0:
        for name in outputs:
            print(f"--- {name} ---\n{tail(os.path.join(work, name))}")
    check(len(outputs) == SHARDS, f"one Slurm output file a task: {outputs}")
    shard_dirs = [f"shards/shard-{i}" for i in range(SHARDS)]
    for i, d in enumerate(shard_dirs):
        path = os.path.join(work, d, "campaign.json")
        m = json.loads(read(path)) if os.path.exists(path) else {}
        check(m.get("shard") == {"index": i, "count": SHARDS}, f"{d}: task {i} ran shard {i}/{SHARDS}")
    print(f"measured: {SHARDS} shards of {SEEDS} through Slurm in {seconds:.1f} s")

    merged = subprocess.run([PAIRSIM, "campaign", "merge", *shard_dirs, "--out", "merged"], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)
    local = subprocess.run([PAIRSIM, "campaign", "bank-lottery.scn", "--seeds", SEEDS, "--jobs", "2", "--out",
                            "local"], cwd=work, env=env, capture_output=True, text=True, timeout=240)
    check(local.returncode == 1, f"the local campaign: exit 1, some seeds fail (got {local.returncode}) "
                                 f"{local.stderr.strip()}")
    check(merged.returncode == local.returncode,
          f"merge: exit {local.returncode} like the local campaign (got {merged.returncode}) {merged.stderr.strip()}")
    print(merged.stdout, end="")
    for name in ("results.jsonl", "summary.json", "campaign.json"):
        a, b = os.path.join(work, "merged", name), os.path.join(work, "local", name)
        check(os.path.exists(a) and read(a) == read(b), f"merged {name} is the local campaign's, byte for byte")
    if merged.returncode in (0, 1):
        results = [json.loads(line) for line in read(os.path.join(work, "merged", "results.jsonl")).splitlines()]
        verdicts = {r["verdict"] for r in results}
        check([r["seed"] for r in results] == list(range(1, 41)) and verdicts == {"held", "failed"},
              f"40 seeds in order, some held and some failed: {sorted(verdicts)}")
        kept = sorted(n for n in os.listdir(os.path.join(work, "merged")) if n.startswith("seed-"))
        check(kept == sorted(f"seed-{r['seed']}" for r in results if r["verdict"] != "held"),
              f"a seed folder for each seed that did not hold ({len(kept)})")
        check(all(read(os.path.join(work, "merged", n, "trace.jsonl")) ==
                  read(os.path.join(work, "local", n, "trace.jsonl")) for n in kept),
              "each with the trace the local campaign kept")
        timing = [json.loads(line)["seed"] for line in read(os.path.join(work, "merged", "timing.jsonl")).splitlines()]
        check(timing == list(range(1, 41)), "merged timing.jsonl: every seed, in order")
        check(merged.stdout[merged.stdout.index("verdicts:"):].replace("merged/", "OUT/") ==
              local.stdout[local.stdout.index("verdicts:"):].replace("local/", "OUT/"),
              "the merge's closing text is the local campaign's")


def main():
    if os.geteuid() != 0:
        check(False, "this test brings up slurmctld, slurmd and munged, which needs root: run it as root "
                     "(it never skips)")
        return
    missing = [b for b in ("munged", "munge", "unmunge", "slurmctld", "slurmd", "sbatch", "sinfo", "scancel")
               if not shutil.which(b, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")]
    if missing:
        check(False, f"Slurm and munge are installed ({' '.join(missing)} missing: run tools/install-deps.sh)")
        return
    scratch = tempfile.mkdtemp(prefix="pairsim-slurm-")
    cluster = Cluster(scratch)
    try:
        cluster.start()
        check(True, f"munged, slurmctld and slurmd run; the node {cluster.host} is idle")
        work = os.path.join(scratch, "work")
        os.mkdir(work)
        run_test(cluster, work)
    except SetupFailed as e:
        check(False, f"Slurm: {e}")
    finally:
        check(cluster.stop(), "slurmd, slurmctld and munged stopped by their pid files")
        shutil.rmtree(scratch, ignore_errors=True)


main()
done()
