# Sourced by ./strata, ./run-tests and .ci/run: finds a JDK 25 or newer and exports JAVA_HOME.
#
#   . bin/java-env.sh && strata_find_java || exit 1
#
# Order: $JAVA_HOME when it is a JDK >= 25, else the first such JDK under /usr/lib/jvm.

STRATA_JAVA_MIN=25

# Prints the feature version of a java binary: 25 for "25.0.3", 8 for "1.8.0_412".
strata_java_version() {
    local version
    version=$("$1" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
    version=${version#1.}
    printf '%s\n' "${version%%[.+-]*}"
}

# True when $1 is a JDK (java and javac) of version >= STRATA_JAVA_MIN.
strata_is_jdk() {
    local home=$1 version
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
    version=$(strata_java_version "$home/bin/java")
    [[ $version =~ ^[0-9]+$ ]] && [ "$version" -ge "$STRATA_JAVA_MIN" ]
}

strata_find_java() {
    local home
    if [ -n "${JAVA_HOME:-}" ] && strata_is_jdk "$JAVA_HOME"; then
        export JAVA_HOME
        return 0
    fi
    for home in /usr/lib/jvm/*/; do
        home=${home%/}
        if strata_is_jdk "$home"; then
            export JAVA_HOME=$home
            return 0
        fi
    done
    echo "Strata needs Java $STRATA_JAVA_MIN: install a JDK $STRATA_JAVA_MIN, e.g. apt-get install temurin-25-jdk, or set JAVA_HOME" >&2
    return 1
}
