package io.factstream.domain.shared;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import io.factstream.catalog.Money;
import io.factstream.catalog.PizzaSize;

/**
 * The pizza menu of the catalog: which pizzas exist, in which sizes, at which price in integer cents. Orders are
 * priced from it when they are placed; clients never send prices.
 */
public final class Menu {

    /** The ISO 4217 currency of every price and amount of the shop: wallets keep integer cents of it. */
    public static final String CURRENCY = "EUR";

    private static final Menu STANDARD = standardMenu();

    private final Map<String, Map<PizzaSize, Long>> pricesByPizza;

    private Menu(Map<String, Map<PizzaSize, Long>> pricesByPizza) {
        this.pricesByPizza = pricesByPizza;
    }

    /** An amount of integer cents in the shop's currency. */
    public static Money amount(long cents) {
        return new Money(cents, CURRENCY);
    }

    /** The menu the reference domain sells from. */
    public static Menu standard() {
        return STANDARD;
    }

    /** The price of one pizza in this size, or empty when the menu does not offer it. */
    public Optional<Long> priceCents(String pizza, PizzaSize size) {
        return Optional.ofNullable(pricesByPizza.get(pizza)).map(prices -> prices.get(size));
    }

    /** Every pizza with its prices by size, in menu order. */
    public Map<String, Map<PizzaSize, Long>> pizzas() {
        return pricesByPizza;
    }

    private static Menu standardMenu() {
        Map<String, Map<PizzaSize, Long>> pizzas = new LinkedHashMap<>();
        pizzas.put("MARGHERITA", prices(800, 1050, 1300));
        pizzas.put("MARINARA", prices(700, 950, 1200));
        pizzas.put("FUNGHI", prices(900, 1150, 1400));
        pizzas.put("DIAVOLA", prices(950, 1250, 1550));
        pizzas.put("PROSCIUTTO", prices(950, 1250, 1550));
        pizzas.put("QUATTRO_FORMAGGI", prices(1000, 1300, 1600));
        pizzas.put("CAPRICCIOSA", prices(1050, 1350, 1650));
        pizzas.put("CALZONE", Map.of(PizzaSize.MEDIUM, 1300L)); // folded: one size only
        return new Menu(Collections.unmodifiableMap(pizzas));
    }

    private static Map<PizzaSize, Long> prices(long small, long medium, long large) {
        Map<PizzaSize, Long> prices = new EnumMap<>(PizzaSize.class);
        prices.put(PizzaSize.SMALL, small);
        prices.put(PizzaSize.MEDIUM, medium);
        prices.put(PizzaSize.LARGE, large);
        return Collections.unmodifiableMap(prices);
    }
}
