#!/usr/bin/env bash
# InfoMeter on Spark: the one entry point.
#
#   ./submit.sh demo                                  embedded local Spark: generate, measure, report
#   ./submit.sh run jobs/nightly-camera-lidar.json    a job definition, embedded unless a cluster is named
#   ./submit.sh --profile cluster run JOB.json        spark-submit with conf/cluster.properties
#   ./submit.sh --master yarn run JOB.json            spark-submit to that master (profile cluster by default)
#   ./submit.sh --master spark://h:7077 --conf spark.executor.memory=2g run JOB.json   any Spark setting, repeatable
#   ./submit.sh correlate jobs/correlate-demo.json    correlate MI with detection accuracy (after a run)
#   ./submit.sh sql "SELECT * FROM infometer.run_mi"
#   ./submit.sh report --job demo [--run-date D] [--out FILE]   self-contained HTML report of a job's date
#   ./submit.sh history --job demo [--from D] [--to D]   a job's MI by date with drift z-scores
#   ./submit.sh import --from npz DUMPS --index DUMPS/index.csv --out FEATURES   detector dumps to features
#   ./submit.sh generate --scale quarter-val --out bench-data
#   ./submit.sh bench
#   ./submit.sh validate [--estimators gaussian,flow] [--tasks quick]   estimators against closed-form MI
#
# Embedded mode needs only JDK 17 and Maven: Spark comes from the Maven build's classpath. Cluster mode needs
# spark-submit (on PATH or under $SPARK_HOME) and submits the shaded jar, which does not bundle Spark.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
profile="${INFOMETER_PROFILE:-}"
master="${SPARK_MASTER:-}"
args=()
confs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="${2:?--profile needs a name: local, cluster or gpu}"; shift 2 ;;
    --master) master="${2:?--master needs a Spark master URL}"; shift 2 ;;
    --conf)
      [[ "${2:-}" == *=* ]] || { echo "submit.sh: --conf needs KEY=VALUE, got '${2:-}'" >&2; exit 2; }
      confs+=("$2"); shift 2 ;;
    -h|--help) args+=("--help"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ ${#args[@]} -gt 0 ]] || args=("--help")
if [[ -z "$profile" ]]; then
  if [[ -n "$master" ]]; then profile=cluster; else profile=local; fi
fi
props="$here/conf/$profile.properties"
[[ -f "$props" ]] || { echo "submit.sh: no profile conf/$profile.properties (have: $(cd "$here/conf" && ls *.properties | grep -v "^log4j2" | sed 's/.properties//' | tr '\n' ' '))" >&2; exit 2; }

# The JVM flags Spark needs on Java 17 (the same list as pom.xml's spark.java17.opens).
java17_opens=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
)

stale() {  # true when the build output is missing or older than any source
  local stamp="$1"
  [[ ! -f "$stamp" ]] && return 0
  [[ -n "$(find "$here/src/main" "$here/pom.xml" "$here/data-schemas" -newer "$stamp" -print -quit 2>/dev/null)" ]]
}

# One BLAS thread per Spark task: tasks already use every core, and OpenBLAS's threaded sums depend on the thread
# count (the job uses the OpenBLAS in its jar by default; see docs/PERFORMANCE.md).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

if [[ "$profile" == "local" && -z "$master" ]]; then
  # Driver and executor share this JVM on the loopback address (conf: spark.driver.host); saying so here also
  # keeps Spark from warning that the hostname resolves to a loopback address.
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  # The JVM announces the incubating Vector API (the Java BLAS uses it) on every start and has no switch to
  # silence that: the stderr filter drops exactly that first line and passes everything else through as is.
  drop_incubator_notice() {  # stdin to stdout, minus a first line that is the JVM's incubator-module notice
    local first
    if IFS= read -r first; then
      [[ "$first" == "WARNING: Using incubator modules: jdk.incubator.vector" ]] || printf '%s\n' "$first"
    else
      printf '%s' "$first"
    fi
    exec cat
  }
  cp_file="$here/target/local-classpath.txt"
  if stale "$cp_file"; then
    echo "submit.sh: building (first run downloads dependencies) ..." >&2
    (cd "$here" && mvn -q -B -DskipTests compile dependency:build-classpath@local-classpath) >&2
    touch "$cp_file"
  fi
  sysprops=()
  heap=4g
  while IFS='=' read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    [[ "$key" == "spark.driver.memory" ]] && heap="$value"
    sysprops+=("-D$key=$value")
  done < "$props"
  jvm_opts=()
  for kv in ${confs[@]+"${confs[@]}"}; do  # --conf wins over the profile, as under spark-submit
    [[ "${kv%%=*}" == "spark.driver.memory" ]] && heap="${kv#*=}"
    # Embedded, the driver is this JVM: its extra options are JVM options here, as spark-submit makes them.
    if [[ "${kv%%=*}" == "spark.driver.extraJavaOptions" ]]; then
      read -r -a extra_opts <<< "${kv#*=}"
      jvm_opts+=("${extra_opts[@]}")
    fi
    sysprops+=("-D$kv")
  done
  # 1 MiB G1 regions: a sample's kept moments (525 KB at 256 + 256 channels) and the decoded column buffers are then
  # humongous objects, placed straight into the old generation and never copied by young collections. Measured on
  # the quarter-val bench against the 4 MiB regions an 8 GB heap gets by default: the bare scan about 25 %, the pipeline
  # 15 to 25 % faster (docs/PERFORMANCE.md). Executors with the cluster profile's 2 GB heap have 1 MiB regions anyway.
  # Concurrent marking from 75 % of the heap, not G1's adaptive threshold: each humongous allocation above that
  # threshold starts a marking cycle, and the growing kept moments started 156 of them in two bench repeats (fit
  # step 11.9 and 12.5 s against 15.1 s without, same session).
  # G1 options given in spark.driver.extraJavaOptions come later on the command line and win.
  exec java -Xmx"$heap" -XX:G1HeapRegionSize=1m -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=75 \
    "${java17_opens[@]}" --add-modules=jdk.incubator.vector \
    -Dai.djl.offline=true -Dinfometer.profile="$profile" "${sysprops[@]}" ${jvm_opts[@]+"${jvm_opts[@]}"} \
    -Dlog4j2.configurationFile="$here/conf/log4j2-local.properties" \
    -cp "$here/target/classes:$(cat "$cp_file")" org.infometer.job.Main "${args[@]}" \
    2> >(drop_incubator_notice >&2)
fi

jar="$here/target/infometer-spark-0.1.0-cluster.jar"
if [[ -n "${INFOMETER_NO_BUILD:-}" ]]; then  # the cluster tests submit the jar the build just made
  [[ -f "$jar" ]] || { echo "submit.sh: $jar is missing (INFOMETER_NO_BUILD is set)" >&2; exit 2; }
elif stale "$jar"; then
  echo "submit.sh: building the cluster jar ..." >&2
  (cd "$here" && mvn -q -B -DskipTests package) >&2
fi
submit="spark-submit"
[[ -n "${SPARK_HOME:-}" ]] && submit="$SPARK_HOME/bin/spark-submit"
command -v "$submit" >/dev/null || { echo "submit.sh: profile '$profile' needs spark-submit on PATH or SPARK_HOME set" >&2; exit 2; }
# Relative paths in the job file and on the command line mean the directory submit.sh was started in; the driver
# resolves them against spark.infometer.submitDir before any work, since executors run in other directories.
# JVM options given with --conf are added to the ones the job needs (DJL offline, the profile's), not put instead.
# The Vector API module on every JVM of the job (driver and executors, see the profile's executor options): the
# Java BLAS then takes the same code path everywhere, so cluster tables equal embedded ones to the last bit.
driver_opts="--add-modules=jdk.incubator.vector -Dai.djl.offline=true -Dinfometer.profile=$profile"
executor_opts="$(sed -n 's/^spark\.executor\.extraJavaOptions=//p' "$props" | tail -n 1)"
extra=()
for kv in ${confs[@]+"${confs[@]}"}; do
  case "${kv%%=*}" in
    spark.driver.extraJavaOptions) driver_opts="$driver_opts ${kv#*=}" ;;
    spark.executor.extraJavaOptions) executor_opts="${executor_opts:+$executor_opts }${kv#*=}" ;;
    *) extra+=(--conf "$kv") ;;
  esac
done
submit_args=(--properties-file "$props" --class org.infometer.job.Main
  --conf "spark.driver.extraJavaOptions=$driver_opts"
  --conf "spark.infometer.submitDir=$PWD"
  --files "$here/conf/$profile.properties")
[[ -n "$executor_opts" ]] && submit_args+=(--conf "spark.executor.extraJavaOptions=$executor_opts")
[[ -n "$master" ]] && submit_args+=(--master "$master")
submit_args+=(${extra[@]+"${extra[@]}"})
exec "$submit" "${submit_args[@]}" "$jar" "${args[@]}"
