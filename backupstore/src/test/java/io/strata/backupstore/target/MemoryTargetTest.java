package io.strata.backupstore.target;

class MemoryTargetTest extends BackupTargetContract {
    @Override
    BackupTarget newTarget() {
        return new MemoryTarget();
    }
}
