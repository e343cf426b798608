package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFolderTest {

    @Test
    void aMissingDataFolderIsMadeForItsOwnerAlone(@TempDir Path parent) throws Exception {
        // given no data folder yet
        Path folder = parent.resolve("data");

        // when Tollgate starts
        TollgateApplication.dataFolder(folder);

        // then the folder holding the database and the JWT key is closed to other users
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
    }

    @Test
    void anExistingDataFolderIsLeftAsTheOperatorMadeIt(@TempDir Path parent) throws Exception {
        // given a folder the operator made, open to their group
        Path folder = Files.createDirectory(parent.resolve("data"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-x---"));

        // when Tollgate starts
        TollgateApplication.dataFolder(folder);

        // then its permissions are the operator's
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwxr-x---");
    }
}
