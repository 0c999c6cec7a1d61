package io.strata.nbd;

class MemoryExportsTest extends ExportsContract {
    @Override
    Exports exports() {
        MemoryExports exports = new MemoryExports();
        exports.add("rw", SIZE, false);
        exports.add("ro", SIZE, true);
        return exports;
    }
}
