package io.factstream.catalog.access;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import io.factstream.catalog.BoundedContext;
import io.factstream.catalog.CommandType;
import io.factstream.catalog.EventCatalog;
import io.factstream.catalog.EventType;
import io.factstream.catalog.topics.TopicCatalog;
import io.factstream.catalog.topics.TopicSpec;

/**
 * Who may do what on the platform's Kafka, derived from the event catalog the way {@link TopicCatalog} derives the
 * topics: one principal per job, one for the gateway, one for the tools, each with the least it needs.
 *
 * <ul>
 *   <li>Each context's aggregate job (principal {@code <ctx>}) reads {@code <ctx>.commands} and writes
 *       {@code <ctx>.events}, {@code rejections}, {@code dlq} and {@code parked}.
 *   <li>Each saga the catalog's event subscribers name ({@code "<name> saga: ..."}, principal {@code <name>}) reads
 *       the events topics of the contexts whose events it subscribes to, and the commands and rejections topics of
 *       the contexts whose commands name it as their sender ({@code sentBy}); it writes those commands, the dead
 *       letter topics of what it reads and {@value TopicCatalog#SAGAS_PARKED}.
 *   <li>The views job (principal {@value #VIEWS}) reads the events topics of the contexts whose events a view
 *       subscribes to ({@code "<name> view"}) and writes every view's history and latest topics, those contexts'
 *       dead letter topics and {@value TopicCatalog#VIEWS_PARKED}.
 *   <li>Every job also reads and writes the writer leases ({@value TopicCatalog#WRITERS}), joins the consumer groups
 *       {@code factstream-<name>*} and runs transactions under {@code factstream-<name>-*} (its sinks) and
 *       {@code factstream-fence-<name>-*} (its writer fence); the saga and the views read
 *       {@value TopicCatalog#REDRIVE}.
 *   <li>The gateway ({@value #GATEWAY}) writes every context's commands and reads their events and rejections and
 *       every view's topics.
 *   <li>The tools ({@value #TOOLS}: state-tools, the auditor, readers and dumps) read every topic of the catalog.
 * </ul>
 *
 * <p>The cluster's administrator ({@value #ADMIN}), who creates topics, ACLs and credentials and requests redrives,
 * is a super user and has no ACLs.
 */
public final class AccessCatalog {

    /** The super user of the platform's cluster. */
    public static final String ADMIN = "admin";
    /** The principal of the views job. */
    public static final String VIEWS = "views";
    /** The principal of the gateway. */
    public static final String GATEWAY = "gateway";
    /** The principal of state-tools, the auditor, the readers and the dumps: read only. */
    public static final String TOOLS = "tools";

    /** Start of the consumer groups and transactional ids of every job, as {@code --transactional-id-prefix}. */
    public static final String JOB_PREFIX = "factstream";
    /** The consumer groups state-tools reads with. */
    public static final String TOOLS_GROUPS = JOB_PREFIX + "-state-tools";

    private final List<Principal> principals;

    private AccessCatalog(EventCatalog events, TopicCatalog topics) {
        List<Principal> all = new ArrayList<>();
        for (BoundedContext context : BoundedContext.values()) {
            all.add(job(context.id(), "The " + context.id() + " aggregate job.",
                    List.of(Grant.read(context.commandsTopic()), Grant.write(context.eventsTopic()),
                            Grant.write(context.rejectionsTopic()), Grant.write(context.deadLetterTopic()),
                            Grant.write(context.parkedTopic()))));
        }
        for (String saga : subscribers(events, " saga")) {
            all.add(saga(events, saga));
        }
        all.add(views(events));
        all.add(gateway(events));
        List<Grant> reads = new ArrayList<>();
        topics.topics().stream().map(TopicSpec::name).forEach(topic -> reads.add(Grant.read(topic)));
        reads.add(Grant.groups(TOOLS_GROUPS));
        all.add(new Principal(TOOLS, Principal.Kind.TOOLS,
                "state-tools, the invariant auditor, the readers and topic dumps: read only.", reads));
        this.principals = List.copyOf(all);
    }

    /** The platform's principals for the standard catalogs. */
    public static AccessCatalog standard() {
        return new AccessCatalog(EventCatalog.get(), TopicCatalog.standard());
    }

    /** Every principal: the aggregate jobs in context order, the sagas, the views, the gateway, the tools. */
    public List<Principal> principals() {
        return principals;
    }

    /** The principal of this name; fails with the known names when there is none. */
    public Principal principal(String name) {
        return principals.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no principal '" + name + "'; the principals are "
                        + principals.stream().map(Principal::name).toList()));
    }

    private static Principal saga(EventCatalog events, String saga) {
        Set<BoundedContext> heard = contextsSubscribedBy(events, saga + " saga");
        Set<BoundedContext> commanded = new LinkedHashSet<>();
        for (CommandType command : events.commandTypes()) {
            if (command.sentBy().toLowerCase(Locale.ROOT).contains(saga + " saga")) {
                commanded.add(command.context());
            }
        }
        List<Grant> grants = new ArrayList<>();
        heard.forEach(context -> grants.add(Grant.read(context.eventsTopic())));
        commanded.forEach(context -> grants.add(Grant.read(context.rejectionsTopic())));
        commanded.forEach(context -> grants.add(Grant.write(context.commandsTopic())));
        Set<BoundedContext> read = new TreeSet<>(heard);
        read.addAll(commanded);
        read.forEach(context -> grants.add(Grant.write(context.deadLetterTopic())));
        grants.add(Grant.read(TopicCatalog.REDRIVE));
        grants.add(Grant.write(TopicCatalog.SAGAS_PARKED));
        return job(saga, "The " + saga + " saga job.", grants);
    }

    private static Principal views(EventCatalog events) {
        List<Grant> grants = new ArrayList<>();
        Set<BoundedContext> heard = new TreeSet<>();
        subscribers(events, " view").forEach(view -> heard.addAll(contextsSubscribedBy(events, view + " view")));
        heard.forEach(context -> grants.add(Grant.read(context.eventsTopic())));
        for (String view : TopicCatalog.VIEWS) {
            grants.add(Grant.write(TopicCatalog.viewHistoryTopic(view)));
            grants.add(Grant.write(TopicCatalog.viewLatestTopic(view)));
        }
        heard.forEach(context -> grants.add(Grant.write(context.deadLetterTopic())));
        grants.add(Grant.read(TopicCatalog.REDRIVE));
        grants.add(Grant.write(TopicCatalog.VIEWS_PARKED));
        return job(VIEWS, "The views job.", grants);
    }

    private static Principal gateway(EventCatalog events) {
        List<Grant> grants = new ArrayList<>();
        Set<BoundedContext> commanded = new TreeSet<>();
        events.commandTypes().forEach(command -> commanded.add(command.context()));
        for (BoundedContext context : commanded) {
            grants.add(Grant.write(context.commandsTopic()));
            grants.add(Grant.read(context.eventsTopic()));
            grants.add(Grant.read(context.rejectionsTopic()));
        }
        for (String view : TopicCatalog.VIEWS) {
            grants.add(Grant.read(TopicCatalog.viewHistoryTopic(view)));
            grants.add(Grant.read(TopicCatalog.viewLatestTopic(view)));
        }
        return new Principal(GATEWAY, Principal.Kind.GATEWAY,
                "The client gateway: sends commands, reads their outcomes and the views.", grants);
    }

    /** A job's principal: its topics, the writer leases, its consumer groups and its transactional ids. */
    private static Principal job(String name, String purpose, List<Grant> topics) {
        List<Grant> grants = new ArrayList<>(topics);
        grants.add(Grant.read(TopicCatalog.WRITERS));
        grants.add(Grant.write(TopicCatalog.WRITERS));
        grants.add(Grant.groups(JOB_PREFIX + "-" + name));
        grants.add(Grant.transactions(JOB_PREFIX + "-" + name + "-"));
        grants.add(Grant.transactions(JOB_PREFIX + "-fence-" + name + "-"));
        return new Principal(name, Principal.Kind.JOB, purpose, grants);
    }

    /**
     * The components the catalog's event subscribers name with this suffix, e.g. {@code order-fulfilment} for
     * {@code "order-fulfilment saga: confirms the order"} and {@code " saga"}, in catalog order.
     */
    private static Set<String> subscribers(EventCatalog events, String suffix) {
        Set<String> names = new LinkedHashSet<>();
        for (EventType event : events.eventTypes()) {
            for (String subscriber : event.subscribers()) {
                String component = component(subscriber);
                if (component.endsWith(suffix)) {
                    names.add(component.substring(0, component.length() - suffix.length()));
                }
            }
        }
        return names;
    }

    private static Set<BoundedContext> contextsSubscribedBy(EventCatalog events, String component) {
        Set<BoundedContext> contexts = new TreeSet<>();
        for (EventType event : events.eventTypes()) {
            if (event.subscribers().stream().anyMatch(s -> component(s).equals(component))) {
                contexts.add(event.context());
            }
        }
        return contexts;
    }

    /** The component a subscriber entry names: what comes before its colon, lower case. */
    private static String component(String subscriber) {
        int colon = subscriber.indexOf(':');
        return (colon < 0 ? subscriber : subscriber.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    }
}
