<?php
/**
 * GENERATED from contract/src by `npm run generate:php`: do not edit.
 * The routes WordPress forwards: WordPress route, method, operation name, timeout class.
 *
 * @package SupportProvisioningPortal
 */

defined( 'ABSPATH' ) || exit;

return array(
	array( '/templates', 'GET', 'get_templates', 'read' ),
	array( '/quota', 'GET', 'get_quota', 'read' ),
	array( '/deployments', 'GET', 'get_deployments', 'read' ),
	array( '/deployments', 'POST', 'create_deployment', 'write' ),
	array( '/deployments/(?P<id>\\d+)', 'GET', 'get_deployment', 'read' ),
	array( '/deployments/(?P<id>\\d+)', 'DELETE', 'delete_deployment', 'long' ),
	array( '/deployments/(?P<id>\\d+)/start', 'POST', 'start_deployment', 'long' ),
	array( '/deployments/(?P<id>\\d+)/stop', 'POST', 'stop_deployment', 'long' ),
	array( '/deployments/(?P<id>\\d+)/prolong', 'POST', 'prolong_deployment', 'long' ),
	array( '/deployments/(?P<id>\\d+)/refresh-ips', 'POST', 'refresh_deployment_ips', 'proxmox' ),
	array( '/deployments/(?P<id>\\d+)/owner', 'PUT', 'hand_over_deployment', 'write' ),
	array( '/deployments/(?P<id>\\d+)/shares', 'GET', 'get_shares', 'read' ),
	array( '/deployments/(?P<id>\\d+)/shares', 'POST', 'create_share', 'write' ),
	array( '/deployments/(?P<id>\\d+)/shares/(?P<user_id>\\d+)', 'DELETE', 'delete_share', 'write' ),
	array( '/me', 'GET', 'get_me', 'read' ),
	array( '/settings', 'GET', 'get_settings', 'read' ),
	array( '/settings', 'PUT', 'update_settings', 'write' ),
	array( '/settings/test', 'POST', 'test_settings', 'proxmox' ),
	array( '/admin/templates', 'GET', 'get_admin_templates', 'read' ),
	array( '/admin/templates', 'POST', 'create_admin_template', 'proxmox' ),
	array( '/admin/templates/(?P<id>\\d+)', 'PUT', 'update_admin_template', 'proxmox' ),
	array( '/admin/templates/(?P<id>\\d+)', 'DELETE', 'retire_admin_template', 'write' ),
	array( '/admin/proxmox-templates', 'GET', 'get_proxmox_templates', 'proxmox' ),
	array( '/users', 'GET', 'get_users', 'read' ),
	array( '/users/(?P<id>\\d+)', 'PUT', 'update_user', 'write' ),
	array( '/audit', 'GET', 'get_audit', 'proxmox' ),
);
