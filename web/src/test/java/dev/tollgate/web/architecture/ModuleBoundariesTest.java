package dev.tollgate.web.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the module arrows of DESIGN.md honest: dependencies point downwards only. */
class ModuleBoundariesTest {
    private static final JavaClasses TOLLGATE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate");

    @Test
    void theMessageLanguageImportsNothingButTheJdkAndAxonAnnotations() {
        classes().that().resideInAPackage("dev.tollgate.api..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.api..", "java..", "org.axonframework.modelling.command",
                        "org.axonframework.serialization")
                .check(TOLLGATE);
    }

    @Test
    void theDomainKnowsNeitherTheWebNorTheReadModelsNorTheProvider() {
        noClasses().that().resideInAPackage("dev.tollgate.domain..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.web..", "dev.tollgate.query..", "dev.tollgate.cloudflare..",
                        "org.springframework.web..", "jakarta.servlet..", "org.springframework.jdbc..")
                .check(TOLLGATE);
    }

    @Test
    void readModelsOnlyRecordEventsAndNeverReachIntoTheDomainOrTheWeb() {
        noClasses().that().resideInAPackage("dev.tollgate.query..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.domain..", "dev.tollgate.web..", "dev.tollgate.cloudflare..",
                        "org.springframework.web..")
                .check(TOLLGATE);
    }
}
