#!/bin/sh
# mod_fcgid runs this with the listening socket on fd 0; scribe-fcgi takes it from there.
# The environment comes from the same file cron uses (scribe-env), never from Apache.
# Edit SCRIBE_HOME if Scribe is not installed in ~/scribe.
SCRIBE_HOME=${SCRIBE_HOME:-$HOME/scribe}
exec "$SCRIBE_HOME/bin/scribe-env" scribe-fcgi
