/**
 * Test-run guards: what the tests of this module may not rely on (default ports and paths), enforced
 * for the whole run rather than checked by reading the sources. May import JUnit's launcher API only.
 */
package io.strata.server.guard;
