/**
 * The README as a test: every command of its console blocks run against a real server and the real
 * CLI, and what it prints compared with what the README shows. May import anything of the server.
 */
package io.strata.server.readme;
