-- DEA nodes a scaling platform launched, shared by every controller: a scale-down reaches any
-- one of them, and a restarted controller must still know which nodes it may remove.
-- dea_id is filled in once the node's DEA advertises its node id; removed_at marks a node
-- deleted through the platform. drain_started_at claims the node for one drain at a time
-- across controllers.
CREATE TABLE scaling_nodes (
  node_id           VARCHAR(255) NOT NULL PRIMARY KEY,
  platform          VARCHAR(32)  NOT NULL,
  launched_at       BIGINT       NOT NULL,
  dea_id            VARCHAR(255),
  removed_at        BIGINT,
  drain_started_at  BIGINT
);
CREATE INDEX scaling_nodes_dea ON scaling_nodes (dea_id);
