-- +goose Up
-- A line of an approved new order names the subscription it created. Orders
-- fulfilled before lines recorded it are matched here: the lines of an order
-- with one offering, in position order, to that order's subscriptions of
-- the offering, in the order they were created.
UPDATE order_lines SET subscription_id = (
    SELECT s.id FROM subscriptions s
    WHERE s.order_id = order_lines.order_id AND s.offering_id = order_lines.offering_id
      AND (SELECT COUNT(*) FROM subscriptions s2 WHERE s2.order_id = s.order_id AND s2.offering_id = s.offering_id AND s2.id < s.id)
        = (SELECT COUNT(*) FROM order_lines l2 WHERE l2.order_id = order_lines.order_id AND l2.offering_id = order_lines.offering_id
             AND l2.position < order_lines.position))
WHERE subscription_id IS NULL
  AND order_id IN (SELECT id FROM orders WHERE kind = 'new' AND status = 'approved');

-- +goose Down
UPDATE order_lines SET subscription_id = NULL
WHERE order_id IN (SELECT id FROM orders WHERE kind = 'new');
