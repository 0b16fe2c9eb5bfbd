# synthehr — GPL-3.0-or-later.
# Start and stop a single-node Slurm cluster on localhost for tests and
# benchmarks: munged with a key made here, slurmctld and slurmd with a
# generated slurm.conf giving the machine's real CPUs and memory; every
# file under one directory, ports derived from the pid.  Needs root (slurmd
# starts jobs as their users).  Source it, then:
#   cluster_start DIR   0 when the cluster is up (SLURM_CONF exported), else
#                       1 with the reason in $cluster_why
#   cluster_stop        stop the daemons
#   cluster_wait_idle S wait up to S seconds for the queue to empty (1: timeout)
cluster_start() {
	C=$1
	cluster_why=""
	if [ "$(id -u)" -ne 0 ]; then
		cluster_why="slurmd must run as root to start jobs (not root here)"; return 1
	fi
	case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
	for b in munged mungekey slurmctld slurmd sbatch squeue sinfo scancel; do
		if ! command -v $b >/dev/null 2>&1; then
			cluster_why="$b is not installed (apt-get install slurmctld slurmd slurm-client munge)"; return 1
		fi
	done
	mkdir -p "$C/etc" "$C/state" "$C/spool" "$C/log" "$C/run" "$C/munge"
	chmod 700 "$C/munge"
	base=$((20000 + ($$ % 2000) * 4))
	mungekey -c -k "$C/munge/munge.key" -f >/dev/null 2>&1 || mungekey -c -k "$C/munge/munge.key" >/dev/null 2>&1
	chmod 600 "$C/munge/munge.key"
	if ! munged --key-file="$C/munge/munge.key" --socket="$C/munge/munge.sock" \
		--pid-file="$C/munge/munged.pid" --log-file="$C/munge/munged.log" --seed-file="$C/munge/seed" -f \
		>/dev/null 2>&1; then
		cluster_why="munged could not be started"; return 1
	fi
	cpus=$(slurmd -C 2>/dev/null | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
	mem=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
	[ -n "$cpus" ] || cpus=$(nproc)
	[ -n "$mem" ] || mem=2000
	mem=$((mem * 9 / 10))
	cat > "$C/etc/slurm.conf" <<EOC
ClusterName=synthehrtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$C/munge/munge.sock
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/run/slurmctld.pid
SlurmdPidFile=$C/run/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
SlurmctldPort=$base
SlurmdPort=$((base + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
MpiDefault=none
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOC
	export SLURM_CONF="$C/etc/slurm.conf"
	cluster_dir=$C
	slurmctld -i >/dev/null 2>&1 || { cluster_why="slurmctld could not be started"; cluster_stop; return 1; }
	sleep 1
	slurmd -N localhost >/dev/null 2>&1 || { cluster_why="slurmd could not be started"; cluster_stop; return 1; }
	i=0
	until sinfo -h -o %t 2>/dev/null | grep -q idle; do
		i=$((i + 1))
		if [ $i -gt 60 ]; then
			cluster_why="the cluster did not come up: $(tail -1 "$C/log/slurmctld.log" 2>/dev/null)"
			cluster_stop; return 1
		fi
		sleep 0.5
	done
	return 0
}

cluster_stop() {
	[ -n "${cluster_dir:-}" ] || return 0
	for f in "$cluster_dir"/run/*.pid "$cluster_dir"/munge/munged.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 1
}

cluster_wait_idle() {
	w=0
	while squeue -h -o %i 2>/dev/null | grep -q .; do
		w=$((w + 1)); [ $w -gt $(($1 * 2)) ] && return 1
		sleep 0.5
	done
	return 0
}
