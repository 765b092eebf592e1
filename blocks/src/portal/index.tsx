/** Editor side of the portal block: a dynamic block (PHP renders it), so nothing is saved but the comment. */
import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import metadata from './block.json';
import { Edit } from './edit';
import './style.scss';

registerBlockType( metadata as unknown as BlockConfiguration< Record< string, never > > & { name: string }, {
	edit: Edit,
	save: () => null,
} );
