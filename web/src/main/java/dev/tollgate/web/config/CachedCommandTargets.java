package dev.tollgate.web.config;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.common.ReflectionUtils;
import org.axonframework.common.annotation.AnnotationUtils;
import org.axonframework.modelling.command.AnnotationCommandTargetResolver;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateVersion;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

/**
 * Finds a command's target account as {@link AnnotationCommandTargetResolver} does, from the member annotated
 * {@link TargetAggregateIdentifier} (and {@link TargetAggregateVersion}, if any), but looks for those members once per
 * command type instead of once per command: Axon's resolver walks every method and field of the command, and of
 * {@code Object}, checking each for the annotations, every time (a few per cent of a command's CPU in bench/ledger,
 * most of it looking for a version no command has).
 */
public final class CachedCommandTargets implements CommandTargetResolver {

    private final ClassValue<Target> targets = new ClassValue<>() {
        @Override
        protected Target computeValue(Class<?> type) {
            return new Target(annotated(type, TargetAggregateIdentifier.class),
                    annotated(type, TargetAggregateVersion.class));
        }
    };

    @Override
    public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
        Target target = targets.get(command.getPayloadType());
        Object identifier = target.read(target.identifier, command.getPayload());
        if (identifier == null) {
            throw new IllegalArgumentException("Invalid command. It does not identify the target aggregate: "
                    + command.getPayloadType().getName() + " has no @TargetAggregateIdentifier with a value.");
        }
        Object version = target.read(target.version, command.getPayload());
        return new VersionedAggregateIdentifier(identifier, asLong(version));
    }

    private static Long asLong(Object version) {
        if (version == null) {
            return null;
        }
        return version instanceof Number number ? number.longValue() : Long.parseLong(version.toString());
    }

    /** As Axon looks: methods first, then fields, meta-annotations included. */
    private static Member annotated(Class<?> type, Class<? extends java.lang.annotation.Annotation> annotation) {
        for (Method m : ReflectionUtils.methodsOf(type)) {
            if (AnnotationUtils.isAnnotationPresent(m, annotation)) {
                ReflectionUtils.ensureAccessible(m);
                return m;
            }
        }
        for (Field f : ReflectionUtils.fieldsOf(type)) {
            if (AnnotationUtils.isAnnotationPresent(f, annotation)) {
                ReflectionUtils.ensureAccessible(f);
                return f;
            }
        }
        return null;
    }

    private record Target(Member identifier, Member version) {
        Object read(Member member, Object command) {
            try {
                if (member instanceof Method method) {
                    return method.invoke(command);
                }
                return member == null ? null : ((Field) member).get(command);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("An exception occurred while extracting aggregate information "
                        + "from a command", e);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("The aggregate information of this command cannot be read", e);
            }
        }
    }
}
