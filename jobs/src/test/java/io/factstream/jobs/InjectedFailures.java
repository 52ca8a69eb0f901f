package io.factstream.jobs;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.factstream.kernel.aggregate.Decider;
import io.factstream.kernel.saga.SagaDefinition;
import io.factstream.kernel.view.Projection;

/**
 * Crashes a task at chosen calls of one method of the domain's logic, counted across restarts in this JVM (the mini
 * cluster's), each chosen call once; every other call goes to the logic it wraps. One instance per method, so that
 * a test can crash deciders and sagas at points of their own.
 */
public final class InjectedFailures {

    /** Calls of {@link Decider#decide}. */
    public static final InjectedFailures DECISIONS = new InjectedFailures("decide");
    /** Calls of {@link SagaDefinition#react}. */
    public static final InjectedFailures REACTIONS = new InjectedFailures("react");
    /** Calls of {@link Projection#project}. */
    public static final InjectedFailures FOLDS = new InjectedFailures("project");

    private final String method;
    private final AtomicInteger calls = new AtomicInteger();
    private final Set<Integer> failAt = ConcurrentHashMap.newKeySet();

    private InjectedFailures(String method) {
        this.method = method;
    }

    /** Fail at these calls, counted from now. */
    public void failAt(Collection<Integer> chosen) {
        calls.set(0);
        failAt.clear();
        failAt.addAll(chosen);
    }

    /** The chosen failures that have not happened yet. */
    public Set<Integer> pending() {
        return Set.copyOf(failAt);
    }

    /**
     * A crash of the task, as when its process dies: an {@link Error}, so that it goes past the quarantine, which
     * parks an aggregate for an exception of its own code, and makes Flink restart the job from its checkpoint.
     */
    static final class InjectedCrash extends Error {
        InjectedCrash(String message) {
            super(message);
        }
    }

    /** The logic, failing at the chosen calls of this instance's method. */
    public <T> T into(Class<? super T> type, T logic) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, called, args) -> {
            if (called.getName().equals(method)) {
                int call = calls.incrementAndGet();
                if (failAt.remove(call)) {
                    throw new InjectedCrash("injected failure at " + method + " call " + call);
                }
            }
            try {
                return called.invoke(logic, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        @SuppressWarnings("unchecked")
        T wrapped = (T) proxy;
        return wrapped;
    }
}
